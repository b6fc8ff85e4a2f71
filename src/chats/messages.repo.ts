import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { StoredMessage } from './chat-delivery.js';

export interface MessageDraft {
  chatId: number;
  senderId: number;
  /** Already trimmed and length-checked. */
  content: string;
  clientMsgId: string | null;
}

export type AppendOutcome =
  | { kind: 'stored'; message: StoredMessage }
  /** The same client_msg_id was stored before: the original message, nothing new stored. */
  | { kind: 'duplicate'; message: StoredMessage }
  | { kind: 'not_found' }
  | { kind: 'blocked' };

interface ChatRow {
  chat_id: number;
  requester_id: number;
  receiver_id: number;
  blocked: boolean;
}

interface MessageRow {
  id: number;
  chat_id: number;
  sender_id: number;
  content: string;
  sent_at: Date;
  client_msg_id: string | null;
  prev_id?: number | null;
  prev_sent_at?: Date | null;
}

/**
 * Stores a batch of messages in one transaction (group commit: one round of statements for many
 * messages). Per draft: membership of a matched chat and blocks are checked under the chats' row
 * locks, so a send and a block or a deletion cannot interleave.
 *
 * Ordering: the chats are locked (FOR NO KEY UPDATE, in id order so that concurrent writers on
 * other processes cannot deadlock) before the INSERT draws ids. Every writer of a chat therefore
 * draws its ids and commits one after another: within a chat, id order is commit order, and the
 * chat's newest message read by the INSERT statement (a fresh snapshot taken after the lock) is
 * exactly the predecessor of this batch's first message there. Delivery uses that link.
 */
export async function appendMessages(db: Db, drafts: readonly MessageDraft[]): Promise<AppendOutcome[]> {
  return db.transaction().execute(async (trx) => {
    const chatIds = [...new Set(drafts.map((d) => d.chatId))].sort((a, b) => a - b);
    const chats = await sql<ChatRow>`
      SELECT c.id AS chat_id, m.requester_id, m.receiver_id,
        EXISTS (SELECT 1 FROM blocks b
                WHERE (b.blocker_id = m.requester_id AND b.blocked_id = m.receiver_id)
                   OR (b.blocker_id = m.receiver_id AND b.blocked_id = m.requester_id)) AS blocked
      FROM chats c JOIN matches m ON m.id = c.match_id
      WHERE c.id = ANY(${chatIds}::int[]) AND m.status = 'matched'
        AND m.requester_id IS NOT NULL AND m.receiver_id IS NOT NULL
      ORDER BY c.id
      FOR NO KEY UPDATE OF c`.execute(trx);
    const byChat = new Map(chats.rows.map((r) => [r.chat_id, r]));

    const outcomes: (AppendOutcome | undefined)[] = drafts.map((d) => {
      const chat = byChat.get(d.chatId);
      if (!chat || (d.senderId !== chat.requester_id && d.senderId !== chat.receiver_id)) return { kind: 'not_found' };
      return chat.blocked ? { kind: 'blocked' } : undefined;
    });
    const accepted = drafts.filter((_, i) => outcomes[i] === undefined);
    if (accepted.length === 0) return outcomes as AppendOutcome[];

    const inserted = await sql<MessageRow>`
      WITH prev AS (
        SELECT c.id AS chat_id, lm.id, lm.sent_at
        FROM unnest(${[...new Set(accepted.map((d) => d.chatId))]}::int[]) AS c(id)
        CROSS JOIN LATERAL (SELECT id, sent_at FROM messages WHERE chat_id = c.id ORDER BY id DESC LIMIT 1) lm
      ), ins AS (
        INSERT INTO messages (chat_id, sender_id, content, client_msg_id)
        SELECT t.chat_id, t.sender_id, t.content, t.client_msg_id
        FROM unnest(${accepted.map((d) => d.chatId)}::int[], ${accepted.map((d) => d.senderId)}::int[],
                    ${accepted.map((d) => d.content)}::text[], ${accepted.map((d) => d.clientMsgId)}::text[])
             WITH ORDINALITY AS t(chat_id, sender_id, content, client_msg_id, ord)
        ORDER BY t.ord
        ON CONFLICT (chat_id, sender_id, client_msg_id) DO NOTHING
        RETURNING id, chat_id, sender_id, content, sent_at, client_msg_id
      )
      SELECT ins.*, prev.id AS prev_id, prev.sent_at AS prev_sent_at
      FROM ins LEFT JOIN prev ON prev.chat_id = ins.chat_id
      ORDER BY ins.id`.execute(trx);

    const stored = linkPredecessors(inserted.rows, byChat);
    // Hand each stored row to the draft it came from. Drafts without a client id cannot conflict,
    // so rows with the same (chat, sender, content) are interchangeable and go out in order.
    const queues = new Map<string, StoredMessage[]>();
    for (const m of stored) pushTo(queues, keyOf(m.chatId, m.senderId, m.clientMsgId, m.content), m);
    const missing: number[] = [];
    drafts.forEach((d, i) => {
      if (outcomes[i]) return;
      const message = queues.get(keyOf(d.chatId, d.senderId, d.clientMsgId, d.content))?.shift();
      if (message) outcomes[i] = { kind: 'stored', message };
      else missing.push(i);
    });
    if (missing.length > 0) await resolveDuplicates(trx, drafts, missing, outcomes, byChat);
    return outcomes as AppendOutcome[];
  });
}

function keyOf(chatId: number, senderId: number, clientMsgId: string | null, content: string): string {
  return clientMsgId === null ? `${chatId}|${senderId}|t|${content}` : `${chatId}|${senderId}|c|${clientMsgId}`;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Rows in id order → messages linked to their chat's previous message. */
function linkPredecessors(rows: MessageRow[], chats: Map<number, ChatRow>): StoredMessage[] {
  const last = new Map<number, { id: number; sentAt: Date }>();
  return rows.map((r) => {
    const before = last.get(r.chat_id);
    const chat = chats.get(r.chat_id)!;
    const message = toMessage(r, chat, before?.id ?? r.prev_id ?? null, before?.sentAt ?? r.prev_sent_at ?? null);
    last.set(r.chat_id, { id: r.id, sentAt: r.sent_at });
    return message;
  });
}

function toMessage(r: MessageRow, chat: ChatRow, prevId: number | null, prevSentAt: Date | null): StoredMessage {
  return {
    id: r.id,
    chatId: r.chat_id,
    senderId: r.sender_id,
    content: r.content,
    sentAt: new Date(r.sent_at),
    clientMsgId: r.client_msg_id,
    memberIds: [chat.requester_id, chat.receiver_id],
    prevId,
    prevSentAt: prevSentAt ? new Date(prevSentAt) : null,
  };
}

/** Drafts whose client_msg_id was already taken: answer with the original message. */
async function resolveDuplicates(
  trx: Transaction<Database>,
  drafts: readonly MessageDraft[],
  missing: number[],
  outcomes: (AppendOutcome | undefined)[],
  chats: Map<number, ChatRow>,
): Promise<void> {
  const wanted = missing.map((i) => drafts[i]!);
  const originals = await sql<MessageRow>`
    SELECT m.id, m.chat_id, m.sender_id, m.content, m.sent_at, m.client_msg_id
    FROM messages m
    JOIN unnest(${wanted.map((d) => d.chatId)}::int[], ${wanted.map((d) => d.senderId)}::int[],
                ${wanted.map((d) => d.clientMsgId)}::text[]) AS w(chat_id, sender_id, client_msg_id)
      ON m.chat_id = w.chat_id AND m.sender_id = w.sender_id AND m.client_msg_id = w.client_msg_id`.execute(trx);
  const byKey = new Map(originals.rows.map((r) => [keyOf(r.chat_id, r.sender_id, r.client_msg_id, ''), r]));
  for (const i of missing) {
    const d = drafts[i]!;
    const row = byKey.get(keyOf(d.chatId, d.senderId, d.clientMsgId, ''));
    // Unreachable while the unique constraint holds: a skipped insert always has its original.
    if (!row) throw new Error('message vanished between insert and lookup');
    outcomes[i] = { kind: 'duplicate', message: toMessage(row, chats.get(d.chatId)!, null, null) };
  }
}

import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { StoredMessage } from './chat-delivery.js';
import type { MessageRow } from './message-row.js';

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

/** A message row with its chat's previous message, as the append function returns it (content
 * only where client_msg_id is null: see APPEND_SQL). */
type LinkedRow = Omit<MessageRow, 'content' | 'sent_at'> & { content: string | null; sent_ms: number; prev_id: number | null; prev_sent_ms: number | null };

type AppendRow = LinkedRow & { row_kind: 'chat' | 'new'; requester_id: number; receiver_id: number; blocked: boolean };

/**
 * The append statement, the same text for every batch (the batch travels as four array parameters).
 * A stored message's content comes back only when it has no client_msg_id (the one case in which
 * the content is what matches a row to its draft); otherwise the draft's text is the message's, and
 * the driver need not read the text again. The two times come as milliseconds since the epoch
 * (truncated, as the driver's Date is): a float the driver reads with parseFloat, where a
 * timestamptz costs two regular expressions and a Date each.
 */
const APPEND_SQL =
  'SELECT row_kind, id, chat_id, sender_id, CASE WHEN client_msg_id IS NULL THEN content END AS content, ' +
  'floor(extract(epoch FROM sent_at) * 1000)::float8 AS sent_ms, client_msg_id, prev_id, ' +
  'floor(extract(epoch FROM prev_sent_at) * 1000)::float8 AS prev_sent_ms, requester_id, receiver_id, blocked ' +
  'FROM chat_append_messages($1::int[], $2::int[], $3::text[], $4::text[])';

/**
 * Stores a batch of messages with one call of `chat_append_messages` (append-messages.sql.ts):
 * one round trip and one implicit transaction for the whole batch. Deliberately raw SQL (typed
 * by AppendRow; one constant text, so nothing is compiled per batch): the chat append is the hottest write path, and a set-returning PL/pgSQL call with
 * array parameters is nothing the query builder would make clearer or faster. Under the chats' row locks it checks
 * each draft's membership of a matched chat and blocks (so a send cannot slip past a block or a
 * deletion that commits at the same moment), links every message to its chat's predecessor, and
 * lets the unique constraint turn a repeated client_msg_id into "stored nothing".
 */
export async function appendMessages(db: Db, drafts: readonly MessageDraft[]): Promise<AppendOutcome[]> {
  const n = drafts.length;
  const chatIds = new Array<number>(n);
  const senderIds = new Array<number>(n);
  const contents = new Array<string>(n);
  const clientMsgIds = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const d = drafts[i]!;
    chatIds[i] = d.chatId;
    senderIds[i] = d.senderId;
    contents[i] = d.content;
    clientMsgIds[i] = d.clientMsgId;
  }
  const result = await db.executeQuery(CompiledQuery.raw(APPEND_SQL, [chatIds, senderIds, contents, clientMsgIds]) as CompiledQuery<AppendRow>);
  const byChat = new Map<number, ChatRow>();
  const inserted: LinkedRow[] = [];
  for (const row of result.rows) {
    if (row.row_kind === 'chat') byChat.set(row.chat_id, row);
    else inserted.push(row);
  }

  const outcomes: (AppendOutcome | undefined)[] = drafts.map((d) => {
    const chat = byChat.get(d.chatId);
    if (!chat || (d.senderId !== chat.requester_id && d.senderId !== chat.receiver_id)) return { kind: 'not_found' };
    return chat.blocked ? { kind: 'blocked' } : undefined;
  });
  const stored = linkPredecessors(inserted.sort((a, b) => a.id - b.id), byChat);
  if (!matchInOrder(drafts, outcomes, stored)) matchByKey(drafts, outcomes, stored);
  const missing: number[] = [];
  for (let i = 0; i < n; i++) if (!outcomes[i]) missing.push(i);
  if (missing.length > 0) await resolveDuplicates(db, drafts, missing, outcomes, byChat);
  return outcomes as AppendOutcome[];
}

/** Whether stored message `m` is the one draft `d` asked for (see keyOf on a leading BOM). */
function sameMessage(d: MessageDraft, m: StoredMessage): boolean {
  if (d.chatId !== m.chatId || d.senderId !== m.senderId) return false;
  if (d.clientMsgId === null) return m.clientMsgId === null && withoutBom(d.content) === withoutBom(m.content);
  return m.clientMsgId !== null && withoutBom(d.clientMsgId) === withoutBom(m.clientMsgId);
}

/**
 * The common case without a string or map per message: every draft still open was stored (no
 * duplicate among them), and the rows in id order match the open drafts in batch order. Gives
 * exactly what matchByKey would (rows with the same key go to that key's drafts in order); false,
 * with nothing assigned, when the two do not line up.
 */
function matchInOrder(drafts: readonly MessageDraft[], outcomes: (AppendOutcome | undefined)[], stored: StoredMessage[]): boolean {
  let open = 0;
  for (let i = 0; i < drafts.length; i++) {
    if (outcomes[i]) continue;
    const m = stored[open];
    if (m === undefined || !sameMessage(drafts[i]!, m)) return false;
    open++;
  }
  if (open !== stored.length) return false;
  let k = 0;
  for (let i = 0; i < drafts.length; i++) {
    if (outcomes[i]) continue;
    outcomes[i] = storedAs(drafts[i]!, stored[k++]!);
  }
  return true;
}

/** The text as sent: what the database handed back may differ in a leading BOM (keyOf), and
 * is left out when the draft has a client id (APPEND_SQL). */
function storedAs(d: MessageDraft, message: StoredMessage): AppendOutcome {
  message.content = d.content;
  message.clientMsgId = d.clientMsgId;
  return { kind: 'stored', message };
}

/** Hands each stored row to the draft it came from. Drafts without a client id cannot conflict,
 * so rows with the same (chat, sender, content) are interchangeable and go out in order. Drafts
 * left without a row are those whose client_msg_id was taken (resolveDuplicates). */
function matchByKey(drafts: readonly MessageDraft[], outcomes: (AppendOutcome | undefined)[], stored: StoredMessage[]): void {
  const queues = new Map<string, StoredMessage[]>();
  for (const m of stored) pushTo(queues, keyOf(m.chatId, m.senderId, m.clientMsgId, m.content), m);
  drafts.forEach((d, i) => {
    if (outcomes[i]) return;
    const message = queues.get(keyOf(d.chatId, d.senderId, d.clientMsgId, d.content))?.shift();
    if (message) outcomes[i] = storedAs(d, message);
  });
}

/**
 * A chat's messages with afterId < id < beforeId, oldest first, each linked to the previous one:
 * what the delivery sequencer reads when a fan-out never arrived. Bounded: a longer gap is left
 * to the clients' `after=` catch-up.
 */
export async function findMessagesBetween(db: Db, chatId: number, afterId: number, beforeId: number, limit = 1000): Promise<StoredMessage[]> {
  const result = await sql<MessageRow & ChatRow>`
    SELECT m.id, m.chat_id, m.sender_id, m.content, m.sent_at, m.client_msg_id, mt.requester_id, mt.receiver_id, false AS blocked
    FROM messages m JOIN chats c ON c.id = m.chat_id JOIN matches mt ON mt.id = c.match_id
    WHERE m.chat_id = ${chatId} AND m.id > ${afterId} AND m.id < ${beforeId}
      AND mt.requester_id IS NOT NULL AND mt.receiver_id IS NOT NULL
    ORDER BY m.id
    LIMIT ${limit}`.execute(db);
  let prev: StoredMessage | null = null;
  return result.rows.map((r) => {
    const message = toMessage(r, asDate(r.sent_at), r, prev?.id ?? null, prev ? prev.sentAt.getTime() : null);
    prev = message;
    return message;
  });
}

/**
 * Which draft a returned row belongs to. PGlite's protocol reader decodes each text field with a
 * TextDecoder that drops a leading U+FEFF (byte-order mark), so a client_msg_id (never trimmed)
 * or content that starts with one comes back without it: the key ignores it on both sides.
 * Rows whose keys then coincide go out in id order, which is batch order.
 */
function keyOf(chatId: number, senderId: number, clientMsgId: string | null, content: string): string {
  return clientMsgId === null ? `${chatId}|${senderId}|t|${withoutBom(content)}` : `${chatId}|${senderId}|c|${withoutBom(clientMsgId)}`;
}

const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Rows in id order → messages linked to their chat's previous message. */
function linkPredecessors(rows: LinkedRow[], chats: Map<number, ChatRow>): StoredMessage[] {
  const last = new Map<number, StoredMessage>();
  return rows.map((r) => {
    const before = last.get(r.chat_id);
    const chat = chats.get(r.chat_id)!;
    const message = toMessage(r, new Date(r.sent_ms), chat, before ? before.id : r.prev_id, before ? before.sentAt.getTime() : r.prev_sent_ms);
    last.set(r.chat_id, message);
    return message;
  });
}

/** Drivers return timestamptz as a Date already; no copy then. */
const asDate = (d: Date | string): Date => (d instanceof Date ? d : new Date(d));

/** `r.content` is null only in an append row of a draft with a client id, whose text is the draft's
 * (storedAs). */
function toMessage(
  r: Pick<LinkedRow, 'id' | 'chat_id' | 'sender_id' | 'content' | 'client_msg_id'>,
  sentAt: Date,
  chat: ChatRow,
  prevId: number | null,
  prevSentMs: number | null,
): StoredMessage {
  return {
    id: r.id,
    chatId: r.chat_id,
    senderId: r.sender_id,
    content: r.content ?? '',
    sentAt,
    clientMsgId: r.client_msg_id,
    memberIds: [chat.requester_id, chat.receiver_id],
    prevId,
    prevSentMs,
  };
}

/** Drafts whose client_msg_id was already taken (a retry): answer with the original message,
 * committed by now — ours or another transaction's, which the unique check waited for. */
async function resolveDuplicates(
  db: Db,
  drafts: readonly MessageDraft[],
  missing: number[],
  outcomes: (AppendOutcome | undefined)[],
  chats: Map<number, ChatRow>,
): Promise<void> {
  const wanted = missing.map((i) => drafts[i]!);
  // Each original comes back with the position of its draft in `wanted` (no text comparison).
  const originals = await sql<MessageRow & { ord: number }>`
    SELECT m.id, m.chat_id, m.sender_id, m.content, m.sent_at, m.client_msg_id, w.ord::int AS ord
    FROM messages m
    JOIN unnest(${wanted.map((d) => d.chatId)}::int[], ${wanted.map((d) => d.senderId)}::int[],
                ${wanted.map((d) => d.clientMsgId)}::text[]) WITH ORDINALITY AS w(chat_id, sender_id, client_msg_id, ord)
      ON m.chat_id = w.chat_id AND m.sender_id = w.sender_id AND m.client_msg_id = w.client_msg_id`.execute(db);
  const byOrd = new Map(originals.rows.map((r) => [r.ord, r]));
  missing.forEach((i, n) => {
    const d = drafts[i]!;
    const row = byOrd.get(n + 1);
    // Unreachable while the unique constraint holds: a skipped insert always has its original.
    if (!row) throw new Error('message vanished between insert and lookup');
    const message = toMessage(row, asDate(row.sent_at), chats.get(d.chatId)!, null, null);
    message.clientMsgId = d.clientMsgId; // as sent (see keyOf on a leading BOM)
    outcomes[i] = { kind: 'duplicate', message };
  });
}

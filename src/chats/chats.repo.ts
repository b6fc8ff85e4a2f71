import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import { isActiveAccount } from '../auth/account-status.js';
import type { Database } from '../db/schema.js';
import { activeRecentlySql } from '../auth/activity.js';
import { blockedEitherWay, notBlockedEitherWay } from '../safety/blocks.repo.js';
import type { MessageSummaryRow } from './message-row.js';

type Executor = Db | Transaction<Database>;

export interface ChatAccess {
  chatId: number;
  partnerId: number;
  /** Either member has blocked the other: the chat is hidden and sending is refused (403). */
  blocked: boolean;
  /** The partner is neither suspended nor banned. Otherwise the chat has vanished from the
   * caller's list and every chat route, sending included, answers 404 as for an unknown chat. */
  partnerActive: boolean;
}

/**
 * The caller's view of a chat: only a member of a matched chat gets one (everyone else: not
 * found), with whether a block stands between the two and whether the partner's account is active.
 */
export async function findChatAccess(db: Executor, chatId: number, userId: number): Promise<ChatAccess | undefined> {
  const partner = sql<number>`CASE WHEN m.requester_id = ${userId} THEN m.receiver_id ELSE m.requester_id END`;
  const row = await db
    .selectFrom('chats as c')
    .innerJoin('matches as m', 'm.id', 'c.match_id')
    .innerJoin('users as p', (join) => join.on('p.id', '=', partner))
    .select([
      'p.id as partner_id',
      blockedEitherWay(sql.ref<number>('m.requester_id'), sql.ref<number>('m.receiver_id')).as('blocked'),
      isActiveAccount('p').$castTo<boolean>().as('partner_active'),
    ])
    .where('c.id', '=', chatId)
    .where('m.status', '=', 'matched')
    .where((eb) => eb.or([eb('m.requester_id', '=', userId), eb('m.receiver_id', '=', userId)]))
    .where('m.requester_id', 'is not', null)
    .where('m.receiver_id', 'is not', null)
    .executeTakeFirst();
  return row ? { chatId, partnerId: row.partner_id, blocked: row.blocked, partnerActive: row.partner_active } : undefined;
}

export interface ChatListRow {
  chat_id: number;
  partner_id: number;
  partner_name: string;
  partner_img: string | null;
  partner_active_recently: boolean | null;
  last_id: number | null;
  last_sender_id: number | null;
  last_content: string | null;
  last_sent_at: Date | null;
  unread_count: number;
}

/**
 * The caller's usable chats (matched, no block either way, the partner not suspended or banned),
 * in raw `sql` (typed by ChatListRow): the lateral last-message join and the correlated unread
 * count are written as PostgreSQL plans them best, and the list is read on every app start.
 * Most recent activity first: the last message's time, or the chat's creation for a chat without
 * messages.
 */
export async function listChats(db: Executor, userId: number): Promise<ChatListRow[]> {
  const result = await sql<ChatListRow>`
    SELECT c.id AS chat_id, p.id AS partner_id, p.name AS partner_name, p.profile_img_url AS partner_img,
      ${activeRecentlySql('p', 'pa')} AS partner_active_recently,
      lm.id AS last_id, lm.sender_id AS last_sender_id, lm.content AS last_content, lm.sent_at AS last_sent_at,
      (SELECT count(*) FROM messages x
       WHERE x.chat_id = c.id AND x.sender_id = p.id AND x.id > COALESCE(r.message_id, 0))::int AS unread_count
    FROM matches m
    JOIN chats c ON c.match_id = m.id
    JOIN users p ON p.id = CASE WHEN m.requester_id = ${userId} THEN m.receiver_id ELSE m.requester_id END
    LEFT JOIN user_activity pa ON pa.user_id = p.id
    LEFT JOIN chat_reads r ON r.chat_id = c.id AND r.user_id = ${userId}
    LEFT JOIN LATERAL (
      SELECT id, sender_id, content, sent_at FROM messages WHERE chat_id = c.id ORDER BY id DESC LIMIT 1
    ) lm ON true
    WHERE m.status = 'matched' AND (m.requester_id = ${userId} OR m.receiver_id = ${userId})
      AND ${isActiveAccount('p')}
      AND ${notBlockedEitherWay(userId, sql.ref<number>('p.id'))}
    ORDER BY COALESCE(lm.sent_at, c.created_at) DESC, lm.id DESC NULLS LAST, c.id DESC`.execute(db);
  return result.rows;
}

export interface HistoryQuery {
  limit: number;
  offset: number;
  before?: number | undefined;
  after?: number | undefined;
}

/**
 * A page of a chat's messages by id: newest first, or oldest first with `after` (catch-up). The
 * cursors are id bounds, so a page stays stable while new messages arrive.
 */
export async function listMessages(db: Executor, chatId: number, q: HistoryQuery): Promise<MessageSummaryRow[]> {
  let query = db
    .selectFrom('messages')
    .select(['id', 'sender_id', 'content', 'sent_at'])
    .where('chat_id', '=', chatId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  if (q.after !== undefined) query = query.where('id', '>', q.after);
  const rows = await query
    .orderBy('id', q.after !== undefined ? 'asc' : 'desc')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  // The seed's DDL leaves these columns nullable; a stored message has them all (message-row.ts).
  return rows as MessageSummaryRow[];
}

/** The chat's newest message id, or the given id if that message belongs to the chat. */
export async function findReadTarget(db: Executor, chatId: number, messageId?: number): Promise<number | undefined> {
  let query = db.selectFrom('messages').select('id').where('chat_id', '=', chatId);
  query = messageId === undefined ? query.orderBy('id', 'desc').limit(1) : query.where('id', '=', messageId);
  const row = await query.executeTakeFirst();
  return row?.id;
}

/** Moves the member's read mark forward (never back); returns the mark now in force. */
export async function advanceReadMark(db: Executor, chatId: number, userId: number, messageId: number): Promise<number> {
  const row = await db
    .insertInto('chat_reads')
    .values({ chat_id: chatId, user_id: userId, message_id: messageId })
    .onConflict((oc) =>
      oc.columns(['chat_id', 'user_id']).doUpdateSet((eb) => ({
        message_id: eb.fn<number>('greatest', [eb.ref('chat_reads.message_id'), eb.ref('excluded.message_id')]),
        updated_at: sql<Date>`now()`,
      })),
    )
    .returning('message_id')
    .executeTakeFirstOrThrow();
  return row.message_id;
}

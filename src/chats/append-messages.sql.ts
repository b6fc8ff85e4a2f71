import { sql } from 'kysely';
import { notSuspendedId } from '../auth/account-status.js';
import { sqlText } from '../db/sql-text.js';
import { blockedEitherWay } from '../safety/blocks.repo.js';

/**
 * `chat_append_messages`: the SQL that stores a batch of chat messages, called by appendMessages
 * (messages.repo.ts) for each group commit of the message writer. It enforces, under the chats'
 * row locks: a message is stored only in a matched chat, only from one of its two members, never
 * while either has blocked the other, never while either member is suspended or banned (the chat
 * has vanished from the partner's list: to the sender it is not found, as in the contract's
 * Moderation section), at most once per (chat, sender, client_msg_id), and linked to its chat's
 * previous message. Migration 0013 last created the function from a frozen copy of this text; a change here
 * needs a new migration with its own copy (test/db/feature-sql.test.ts checks that the migrated
 * database runs exactly this text).
 *
 * Why a function: one statement per batch instead of BEGIN/lock/insert/COMMIT halves the flush
 * time, and a PL/pgSQL statement takes a fresh snapshot, which the predecessor lookup needs.
 *
 * 1. Locks the batch's chats whose members are both active (FOR NO KEY UPDATE, in id order so that
 *    writers on other processes cannot deadlock) and reads each chat's members and whether a block
 *    stands between them. A chat with a suspended or banned member is left out, so its drafts come
 *    back as "not found" (the account check probes the small partial index users_suspended_idx,
 *    not the users rows: the append stays one cheap statement).
 *    Writers of one chat thus draw ids and commit one after another: within a chat, id order is
 *    commit order.
 * 2. Reads each chat's newest message — after the lock, so it is exactly the predecessor of this
 *    batch's first message in that chat (delivery orders messages by this link).
 * 3. Inserts the drafts whose sender is a member and not blocked, in batch order; a repeated
 *    (chat, sender, client_msg_id) is skipped by the unique constraint.
 * 4. Writes a `new_message` row into the push outbox for each stored message whose recipient has a
 *    push device, in the same statement and so the same transaction as the message (migration
 *    0013; src/notifications/outbox.repo.ts says what happens to it). Whether the recipient is
 *    connected is decided when the push is sent, not here.
 * Returns 'chat' rows (members, blocked) and 'new' rows (stored messages with their predecessor).
 */
/** Neither member of the chat is suspended or banned now (added by migration 0012). */
export const MEMBERS_ACTIVE = `      AND ${sqlText(notSuspendedId(sql.ref<number>('m.requester_id')))}
      AND ${sqlText(notSuspendedId(sql.ref<number>('m.receiver_id')))}`;

/** The outbox rows of stored messages (step 4; added by migration 0013). */
export const PUSH_OUTBOX_CTE = `, pushes AS (
      INSERT INTO push_outbox (user_id, kind, about_user_id, chat_id, message_id)
      SELECT r.recipient, 'new_message', ins.sender_id, ins.chat_id, ins.id
      FROM ins
      JOIN unnest(v_ids, v_req, v_rec) AS o(id, req, rec) ON o.id = ins.chat_id
      CROSS JOIN LATERAL (SELECT CASE WHEN ins.sender_id = o.req THEN o.rec ELSE o.req END AS recipient) r
      WHERE EXISTS (SELECT 1 FROM devices d WHERE d.user_id = r.recipient)
    )`;

export const APPEND_MESSAGES_FUNCTION = `
CREATE OR REPLACE FUNCTION chat_append_messages(p_chat int[], p_sender int[], p_content text[], p_client text[])
RETURNS TABLE (row_kind text, id int, chat_id int, sender_id int, content text, sent_at timestamptz,
               client_msg_id text, prev_id int, prev_sent_at timestamptz,
               requester_id int, receiver_id int, blocked boolean)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_ids int[]; v_req int[]; v_rec int[]; v_blk boolean[];
BEGIN
  SELECT coalesce(array_agg(x.id ORDER BY x.id), '{}'), coalesce(array_agg(x.requester_id ORDER BY x.id), '{}'),
         coalesce(array_agg(x.receiver_id ORDER BY x.id), '{}'), coalesce(array_agg(x.blocked ORDER BY x.id), '{}')
    INTO v_ids, v_req, v_rec, v_blk
  FROM (
    SELECT c.id, m.requester_id, m.receiver_id,
      ${sqlText(blockedEitherWay(sql.ref<number>('m.requester_id'), sql.ref<number>('m.receiver_id')))} AS blocked
    FROM chats c JOIN matches m ON m.id = c.match_id
    WHERE c.id = ANY(p_chat) AND m.status = 'matched'
      AND m.requester_id IS NOT NULL AND m.receiver_id IS NOT NULL
${MEMBERS_ACTIVE}
    ORDER BY c.id
    FOR NO KEY UPDATE OF c
  ) x;

  RETURN QUERY
    SELECT 'chat'::text, o.id, o.id, NULL::int, NULL::text, NULL::timestamptz, NULL::text, NULL::int,
           NULL::timestamptz, o.req, o.rec, o.blk
    FROM unnest(v_ids, v_req, v_rec, v_blk) AS o(id, req, rec, blk);

  RETURN QUERY
    WITH prev AS MATERIALIZED (
      SELECT o.id AS chat_id, lm.id, lm.sent_at
      FROM unnest(v_ids) AS o(id)
      CROSS JOIN LATERAL (SELECT mm.id, mm.sent_at FROM messages mm WHERE mm.chat_id = o.id ORDER BY mm.id DESC LIMIT 1) lm
    ), ins AS (
      INSERT INTO messages AS mi (chat_id, sender_id, content, client_msg_id)
      SELECT t.chat_id, t.sender_id, t.content, t.client_msg_id
      FROM unnest(p_chat, p_sender, p_content, p_client) WITH ORDINALITY AS t(chat_id, sender_id, content, client_msg_id, ord)
      JOIN unnest(v_ids, v_req, v_rec, v_blk) AS o(id, req, rec, blk) ON o.id = t.chat_id
      WHERE NOT o.blk AND t.sender_id IN (o.req, o.rec)
      ORDER BY t.ord
      ON CONFLICT ON CONSTRAINT messages_client_msg_id_key DO NOTHING
      RETURNING mi.id, mi.chat_id, mi.sender_id, mi.content, mi.sent_at, mi.client_msg_id
    )${PUSH_OUTBOX_CTE}
    SELECT 'new'::text, ins.id, ins.chat_id, ins.sender_id, ins.content, ins.sent_at, ins.client_msg_id::text,
           prev.id, prev.sent_at, NULL::int, NULL::int, NULL::boolean
    FROM ins LEFT JOIN prev ON prev.chat_id = ins.chat_id
    ORDER BY ins.id;
END
$fn$`;

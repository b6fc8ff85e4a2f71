import { sql, type Kysely } from 'kysely';

/**
 * Chat: idempotent sends and per-member read marks, beside the seed's chats and messages.
 *
 * - `messages.client_msg_id` with UNIQUE (chat_id, sender_id, client_msg_id): a retried send is
 *   settled by the database (INSERT … ON CONFLICT DO NOTHING), never by a lookup that two racing
 *   retries could both pass. NULLs are distinct, so sends without a client id never collide.
 * - `chat_reads`: each member's read mark (the newest message id they have read); it only moves
 *   forward (GREATEST on upsert). Rows go with their chat or user.
 * - `chat_append_messages(...)`: stores a batch of messages in ONE round trip and one implicit
 *   transaction (the group commit of src/chats/message-writer.ts); see the comments inside.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE messages ADD COLUMN client_msg_id varchar(64)`.execute(db);
  await sql`
    ALTER TABLE messages
      ADD CONSTRAINT messages_client_msg_id_key UNIQUE (chat_id, sender_id, client_msg_id)`.execute(db);
  await sql`
    CREATE TABLE chat_reads (
      chat_id integer NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      message_id integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (chat_id, user_id)
    )`.execute(db);
  // The chat list looks up matches by either member; the seed indexes (requester_id, receiver_id)
  // and receiver_id already, so no new index is needed there.
  await sql.raw(APPEND_FUNCTION).execute(db);
}

/**
 * Why a function: one statement per batch instead of BEGIN/lock/insert/COMMIT halves the flush
 * time, and a PL/pgSQL statement takes a fresh snapshot, which the predecessor lookup needs.
 *
 * 1. Locks the batch's chats (FOR NO KEY UPDATE, in id order so that writers on other processes
 *    cannot deadlock) and reads each chat's members and whether a block stands between them.
 *    Writers of one chat thus draw ids and commit one after another: within a chat, id order is
 *    commit order.
 * 2. Reads each chat's newest message — after the lock, so it is exactly the predecessor of this
 *    batch's first message in that chat (delivery orders messages by this link).
 * 3. Inserts the drafts whose sender is a member and not blocked, in batch order; a repeated
 *    (chat, sender, client_msg_id) is skipped by the unique constraint.
 * Returns 'chat' rows (members, blocked) and 'new' rows (stored messages with their predecessor).
 *
 * As first created; src/chats/append-messages.sql.ts holds the function in force (migration 0009).
 */
export const APPEND_FUNCTION = `
CREATE FUNCTION chat_append_messages(p_chat int[], p_sender int[], p_content text[], p_client text[])
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
      EXISTS (SELECT 1 FROM blocks b
              WHERE (b.blocker_id = m.requester_id AND b.blocked_id = m.receiver_id)
                 OR (b.blocker_id = m.receiver_id AND b.blocked_id = m.requester_id)) AS blocked
    FROM chats c JOIN matches m ON m.id = c.match_id
    WHERE c.id = ANY(p_chat) AND m.status = 'matched'
      AND m.requester_id IS NOT NULL AND m.receiver_id IS NOT NULL
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
    )
    SELECT 'new'::text, ins.id, ins.chat_id, ins.sender_id, ins.content, ins.sent_at, ins.client_msg_id::text,
           prev.id, prev.sent_at, NULL::int, NULL::int, NULL::boolean
    FROM ins LEFT JOIN prev ON prev.chat_id = ins.chat_id
    ORDER BY ins.id;
END
$fn$`;

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION chat_append_messages(int[], int[], text[], text[])`.execute(db);
  await sql`DROP TABLE chat_reads`.execute(db);
  await sql`ALTER TABLE messages DROP CONSTRAINT messages_client_msg_id_key`.execute(db);
  await sql`ALTER TABLE messages DROP COLUMN client_msg_id`.execute(db);
}

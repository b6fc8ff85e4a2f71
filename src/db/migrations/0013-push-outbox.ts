import { sql, type Kysely } from 'kysely';
import { APPEND_MESSAGES_FUNCTION_0012 } from './0012-chat-append-account-status.js';

/**
 * The push outbox (src/notifications/outbox.repo.ts).
 *
 * - `push_outbox`: one row per notification for a user who has a push device, written in the same
 *   transaction as the event (a match request, an accept, a stored message — the chat writer's
 *   function writes it in its own statement). The relay moves rows into the job queue (pg-boss,
 *   one job per device) and deletes them in one transaction, so a row is either still here or
 *   queued, never lost and never queued twice.
 * - `push_deliveries`: the (notification, device) pairs already delivered; a job retried after a
 *   crash finds its pair here and sends nothing. Pruned after a day (longer than any retry).
 * - `chat_append_messages` again, now writing `new_message` rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE push_outbox (
      id bigserial PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind varchar(16) NOT NULL CHECK (kind IN ('match_requested', 'match_accepted', 'new_message', 'daily_picks')),
      about_user_id integer REFERENCES users (id) ON DELETE CASCADE,
      match_id integer,
      chat_id integer,
      message_id integer,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE push_deliveries (
      outbox_id bigint NOT NULL,
      device_id integer NOT NULL,
      delivered_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (outbox_id, device_id)
    )`.execute(db);
  await sql`CREATE INDEX push_deliveries_delivered_at_idx ON push_deliveries (delivered_at)`.execute(db);
  await sql.raw(APPEND_MESSAGES_FUNCTION_0013).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_MESSAGES_FUNCTION_0012).execute(db);
  await sql`DROP TABLE push_deliveries`.execute(db);
  await sql`DROP TABLE push_outbox`.execute(db);
}

// Frozen: the exact text this migration ran (from src/chats/append-messages.sql.ts as of b70752f). The file in src/ may evolve;
// a change to it needs a new migration, never an edit here.
const APPEND_MESSAGES_FUNCTION_0013 = `
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
      (EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = "m"."requester_id" AND bl.blocked_id = "m"."receiver_id") OR EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = "m"."receiver_id" AND bl.blocked_id = "m"."requester_id")) AS blocked
    FROM chats c JOIN matches m ON m.id = c.match_id
    WHERE c.id = ANY(p_chat) AND m.status = 'matched'
      AND m.requester_id IS NOT NULL AND m.receiver_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM users s
    WHERE s.id = "m"."requester_id" AND s.suspended_until IS NOT NULL AND s.suspended_until > now())
      AND NOT EXISTS (SELECT 1 FROM users s
    WHERE s.id = "m"."receiver_id" AND s.suspended_until IS NOT NULL AND s.suspended_until > now())
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
    ), pushes AS (
      INSERT INTO push_outbox (user_id, kind, about_user_id, chat_id, message_id)
      SELECT r.recipient, 'new_message', ins.sender_id, ins.chat_id, ins.id
      FROM ins
      JOIN unnest(v_ids, v_req, v_rec) AS o(id, req, rec) ON o.id = ins.chat_id
      CROSS JOIN LATERAL (SELECT CASE WHEN ins.sender_id = o.req THEN o.rec ELSE o.req END AS recipient) r
      WHERE EXISTS (SELECT 1 FROM devices d WHERE d.user_id = r.recipient)
    )
    SELECT 'new'::text, ins.id, ins.chat_id, ins.sender_id, ins.content, ins.sent_at, ins.client_msg_id::text,
           prev.id, prev.sent_at, NULL::int, NULL::int, NULL::boolean
    FROM ins LEFT JOIN prev ON prev.chat_id = ins.chat_id
    ORDER BY ins.id;
END
$fn$`;

import { sql, type Kysely } from 'kysely';
import { APPEND_FUNCTION } from './0005-chat.js';
import { DAILY_SET_FUNCTION as DAILY_SET_FUNCTION_0006 } from './0006-daily-set-function.js';

/**
 * The two PL/pgSQL functions, re-created from the SQL files next to the code that calls them
 * (src/chats/append-messages.sql.ts, src/recommendations/daily-set.sql.ts; frozen copies below), where their rules
 * are now written with the shared "blocked either way" and "unordered pair" helpers. Same
 * signatures and results as 0005/0006; only the text of the conditions changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_MESSAGES_FUNCTION_0009).execute(db);
  await sql.raw(DAILY_SET_FUNCTION_0009).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
  await sql.raw(DAILY_SET_FUNCTION_0006.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
}

// Frozen: the exact text this migration ran (from src/chats/append-messages.sql.ts and src/recommendations/daily-set.sql.ts as of 105b48f). The file in src/ may evolve;
// a change to it needs a new migration, never an edit here.
export const APPEND_MESSAGES_FUNCTION_0009 = `
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

export const DAILY_SET_FUNCTION_0009 = `
CREATE OR REPLACE FUNCTION daily_recommendations_visible(p_user integer, p_date date, p_limit integer)
RETURNS TABLE (id integer, name varchar, birth_date date, location varchar, bio text, profile_img_url varchar, score smallint)
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT x.id, x.name, x.birth_date, x.location, x.bio, x.profile_img_url, x.score
    FROM daily_recommendation_sets s
    LEFT JOIN LATERAL (
      SELECT u.id, u.name, u.birth_date, u.location, u.bio, u.profile_img_url, r.score, r.position
      FROM daily_recommendations r
      JOIN users u ON u.id = r.candidate_id
      WHERE r.user_id = s.user_id AND r.kst_date = s.kst_date
        AND NOT EXISTS (SELECT 1 FROM matches m WHERE (LEAST("m"."requester_id", "m"."receiver_id") = LEAST(p_user, "u"."id") AND GREATEST("m"."requester_id", "m"."receiver_id") = GREATEST(p_user, "u"."id")))
        AND (NOT EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = p_user AND bl.blocked_id = "u"."id") AND NOT EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = "u"."id" AND bl.blocked_id = p_user))
      ORDER BY r.position
      LIMIT p_limit
    ) x ON true
    WHERE s.user_id = p_user AND s.kst_date = p_date
    ORDER BY x.position;
END
$fn$`;

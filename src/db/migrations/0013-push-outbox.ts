import { sql, type Kysely } from 'kysely';
import { APPEND_MESSAGES_FUNCTION, PUSH_OUTBOX_CTE } from '../../chats/append-messages.sql.js';

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
  await sql.raw(APPEND_MESSAGES_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_MESSAGES_FUNCTION.replace(PUSH_OUTBOX_CTE, '')).execute(db);
  await sql`DROP TABLE push_deliveries`.execute(db);
  await sql`DROP TABLE push_outbox`.execute(db);
}

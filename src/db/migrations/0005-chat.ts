import { sql, type Kysely } from 'kysely';

/**
 * Chat: idempotent sends and per-member read marks, beside the seed's chats and messages.
 *
 * - `messages.client_msg_id` with UNIQUE (chat_id, sender_id, client_msg_id): a retried send is
 *   settled by the database (INSERT … ON CONFLICT DO NOTHING), never by a lookup that two racing
 *   retries could both pass. NULLs are distinct, so sends without a client id never collide.
 * - `chat_reads`: each member's read mark (the newest message id they have read); it only moves
 *   forward (GREATEST on upsert). Rows go with their chat or user.
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE chat_reads`.execute(db);
  await sql`ALTER TABLE messages DROP CONSTRAINT messages_client_msg_id_key`.execute(db);
  await sql`ALTER TABLE messages DROP COLUMN client_msg_id`.execute(db);
}

import { sql, type Kysely } from 'kysely';
import { APPEND_MESSAGES_FUNCTION, MEMBERS_ACTIVE } from '../../chats/append-messages.sql.js';

/**
 * `chat_append_messages` re-created from src/chats/append-messages.sql.ts, which now also refuses
 * a message into a chat whose partner (or sender) is suspended or banned: moderation hides that
 * chat from the partner's list, and until now the function checked blocks only, so a send still
 * stored the message. Same signature and result columns (CREATE OR REPLACE suffices).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_MESSAGES_FUNCTION).execute(db);
}

/** Back to the blocks-only rule of 0009: the same text without the members' account check. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_MESSAGES_FUNCTION.replace(`\n${MEMBERS_ACTIVE}`, '')).execute(db);
}

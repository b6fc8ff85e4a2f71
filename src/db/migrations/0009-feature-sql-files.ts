import { sql, type Kysely } from 'kysely';
import { APPEND_MESSAGES_FUNCTION } from '../../chats/append-messages.sql.js';
import { DAILY_SET_FUNCTION } from '../../recommendations/daily-set.sql.js';
import { APPEND_FUNCTION } from './0005-chat.js';
import { DAILY_SET_FUNCTION as DAILY_SET_FUNCTION_0006 } from './0006-daily-set-function.js';

/**
 * The two PL/pgSQL functions, re-created from the SQL files next to the code that calls them
 * (src/chats/append-messages.sql.ts, src/recommendations/daily-set.sql.ts), where their rules
 * are now written with the shared "blocked either way" and "unordered pair" helpers. Same
 * signatures and results as 0005/0006; only the text of the conditions changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_MESSAGES_FUNCTION).execute(db);
  await sql.raw(DAILY_SET_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
  await sql.raw(DAILY_SET_FUNCTION_0006.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * A report's `reason` may be a sentence, not only a code such as `spam`: up to 500 characters
 * (64 before). Widening a varchar rewrites nothing in PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE reports ALTER COLUMN reason TYPE varchar(500)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE reports ALTER COLUMN reason TYPE varchar(64) USING left(reason, 64)`.execute(db);
}

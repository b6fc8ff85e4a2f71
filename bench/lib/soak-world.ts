import { sql } from 'kysely';
import { hashPassword } from '../../src/auth/passwords.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { insertUsers } from '../../scripts/lib/bulk-users.js';
import { DemoPeople } from '../../scripts/lib/demo-users.js';

export const SOAK_PASSWORD = 'soak password 1234';

/**
 * The soak's world on a fresh database: `population` demo people with real saju charts (so that
 * recommendations have someone to rank), of whom the first `users` are the virtual users. Each
 * virtual user starts with a few matched chats with other virtual users, as a returning app user
 * would; new matches come from the run itself (requests and accepts).
 */
export async function buildSoakWorld(url: string, users: number, population: number): Promise<{ emails: string[] }> {
  const database = await openDatabase({ url });
  try {
    await migrateToLatest(database.db);
    const people = new DemoPeople(20_240_601);
    const hash = await hashPassword(SOAK_PASSWORD);
    const emails = Array.from({ length: population }, (_, i) => `soak-${i}@example.com`);
    for (let start = 0; start < population; start += 10_000) {
      const n = Math.min(10_000, population - start);
      await insertUsers(database.db, Array.from({ length: n }, () => people.next()), emails.slice(start, start + n), hash);
    }
    const ids = (await database.db.selectFrom('users').select('id').where('email', 'in', emails.slice(0, users)).execute()).map((r) => r.id);
    // Neighbours on a ring and at distances 7 and 31: three chats each, no pair twice.
    const pairs: [number, number][] = [];
    for (let i = 0; i < users; i++) for (const d of [1, 7, 31]) if (d < users / 2) pairs.push([ids[i]!, ids[(i + d) % users]!]);
    await sql`
      WITH m AS (
        INSERT INTO matches (requester_id, receiver_id, status, compatibility_score)
        SELECT r, c, 'matched', 70 FROM unnest(${pairs.map((p) => p[0])}::int[], ${pairs.map((p) => p[1])}::int[]) AS x(r, c)
        RETURNING id
      )
      INSERT INTO chats (match_id) SELECT id FROM m`.execute(database.db);
    await sql`ANALYZE`.execute(database.db);
    return { emails: emails.slice(0, users) };
  } finally {
    await database.close();
  }
}

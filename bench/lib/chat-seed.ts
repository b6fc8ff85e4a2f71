import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/** Users 1..users with one login session each (session id = user id), and chats 1..chats where
 * chat c is a matched chat between users 2c-1 and 2c (the bare server's numbering too). */
export async function seed(url: string, users: number, chats: number): Promise<void> {
  const database = await openDatabase({ url });
  const db = database.db;
  await migrateToLatest(db);
  for (let start = 0; start < users; start += 1000) {
    const n = Math.min(1000, users - start);
    await db
      .insertInto('users')
      .values(
        Array.from({ length: n }, (_, k) => ({
          email: `chat-bench-${start + k}@example.com`,
          password_hash: 'not-a-login-bench-user',
          name: `벤치${start + k}`,
          birth_date: '1992-05-05',
          gender: (start + k) % 2 ? ('female' as const) : ('male' as const),
          interested_in: [(start + k) % 2 ? 'male' : 'female'] as ('male' | 'female')[],
        })),
      )
      .execute();
    await db
      .insertInto('auth_sessions')
      .values(Array.from({ length: n }, (_, k) => ({ user_id: start + k + 1 })))
      .execute();
  }
  for (let c = 1; c <= chats; c++) {
    const match = await db
      .insertInto('matches')
      .values({ requester_id: 2 * c - 1, receiver_id: 2 * c, status: 'matched', compatibility_score: 70 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('chats').values({ match_id: match.id }).execute();
  }
  await database.close();
}

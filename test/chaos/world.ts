import { sql } from 'kysely';
import { hashPassword } from '../../src/auth/passwords.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export const PASSWORD = 'chaos password 1234';

export interface World {
  users: { id: number; email: string }[];
  /** chat id → its two members */
  chats: Map<number, [number, number]>;
}

/**
 * The people and their chats, written straight to the database (the chat routes are under test,
 * not registration or matching): `users` people, each in three chats — with both neighbours on a
 * ring and with the person opposite — so that every client follows several chats at once.
 */
export async function buildWorld(url: string, userCount: number): Promise<World> {
  const database = await openDatabase({ url });
  try {
    await migrateToLatest(database.db);
    const hash = await hashPassword(PASSWORD);
    const users = await database.db
      .insertInto('users')
      .values(
        Array.from({ length: userCount }, (_, i) => ({
          email: `chaos-${i}@example.com`,
          password_hash: hash,
          name: `카오스${i}`,
          birth_date: '1994-06-15',
          gender: i % 2 ? ('female' as const) : ('male' as const),
          interested_in: [i % 2 ? 'male' : 'female'] as ('male' | 'female')[],
        })),
      )
      .returning(['id', 'email'])
      .execute();
    const ids = users.map((u) => u.id);
    const pairs: [number, number][] = [];
    for (let i = 0; i < userCount; i++) pairs.push([ids[i]!, ids[(i + 1) % userCount]!]);
    for (let i = 0; i < userCount / 2; i++) pairs.push([ids[i]!, ids[i + userCount / 2]!]);
    const result = await sql<{ chat_id: number; requester_id: number; receiver_id: number }>`
      WITH m AS (
        INSERT INTO matches (requester_id, receiver_id, status, compatibility_score)
        SELECT r, c, 'matched', 80 FROM unnest(${pairs.map((p) => p[0])}::int[], ${pairs.map((p) => p[1])}::int[]) AS x(r, c)
        RETURNING id, requester_id, receiver_id
      ), c AS (
        INSERT INTO chats (match_id) SELECT id FROM m RETURNING id, match_id
      )
      SELECT c.id AS chat_id, m.requester_id, m.receiver_id FROM c JOIN m ON m.id = c.match_id`.execute(database.db);
    const chats = new Map(result.rows.map((r): [number, [number, number]] => [r.chat_id, [r.requester_id, r.receiver_id]]));
    return { users, chats };
  } finally {
    await database.close();
  }
}

/** Logs in through the API (a fresh login session per device, as each phone has its own). */
export async function login(serverUrl: string, email: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${serverUrl}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (error) {
      // No answer in time (a loaded machine, a restart under way): as a 5xx, tried again.
      if (attempt >= 3) throw new Error(`login of ${email} got no answer: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (res.status === 200) return ((await res.json()) as { access_token: string }).access_token;
    if (attempt >= 3 || res.status < 500) throw new Error(`login of ${email} failed: ${res.status} ${await res.text()}`);
  }
}

import type { Db } from '../../src/db/database.js';
import type { TestApp } from './app.js';
import type { Client } from './client.js';
import { createUser, type TestUser } from './factories.js';

/**
 * A matched match and its chat, written straight to the database (so chat tests do not depend on
 * the matching routes). `status` other than 'matched' makes an unusable chat.
 */
export async function insertChat(
  db: Db,
  requesterId: number,
  receiverId: number,
  status: 'matched' | 'requested' | 'declined' = 'matched',
): Promise<{ matchId: number; chatId: number }> {
  const match = await db
    .insertInto('matches')
    .values({ requester_id: requesterId, receiver_id: receiverId, status, compatibility_score: 77 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const chat = await db.insertInto('chats').values({ match_id: match.id }).returning('id').executeTakeFirstOrThrow();
  return { matchId: match.id, chatId: chat.id };
}

export interface Pair {
  a: TestUser;
  b: TestUser;
  chatId: number;
  matchId: number;
}

/** Two new users with a matched chat between them (a requested, b accepted). */
export async function matchedPair(t: TestApp, api: Client): Promise<Pair> {
  const a = await createUser(api, { gender: 'male' });
  const b = await createUser(api, { gender: 'female' });
  const { chatId, matchId } = await insertChat(t.database.db, a.id, b.id);
  return { a, b, chatId, matchId };
}

export async function insertBlock(db: Db, blockerId: number, blockedId: number): Promise<void> {
  await db.insertInto('blocks').values({ blocker_id: blockerId, blocked_id: blockedId }).execute();
}

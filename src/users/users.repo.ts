import { sql, type Transaction } from 'kysely';
import { isActiveAccount } from '../auth/account-status.js';
import type { Db } from '../db/database.js';
import type { Database, Gender, UserUpdate } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

/** What other people may learn about a person (never the email; the birth date only to compute age). */
export interface PersonRow {
  id: number;
  name: string;
  birth_date: string;
  gender: Gender;
  location: string | null;
  job: string | null;
  bio: string | null;
  profile_img_url: string | null;
  saju_key: number;
}

const PERSON_COLUMNS = ['id', 'name', 'birth_date', 'gender', 'location', 'job', 'bio', 'profile_img_url', 'saju_key'] as const;

/** A person others may see: unknown, suspended and banned accounts are all `undefined`. */
export async function findPerson(db: Executor, userId: number): Promise<PersonRow | undefined> {
  return db.selectFrom('users as u').select(PERSON_COLUMNS).where('id', '=', userId).where(isActiveAccount('u')).executeTakeFirst();
}

export async function findGender(db: Executor, userId: number): Promise<Gender | undefined> {
  const row = await db.selectFrom('users').select('gender').where('id', '=', userId).executeTakeFirst();
  return row?.gender;
}

export async function updateProfile(db: Executor, userId: number, changes: UserUpdate): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Removes the person and everything they took part in from the seed's tables (whose foreign keys
 * have no ON DELETE rule): messages of their chats, the chats, their matches, then the user row.
 * Tables added beside the seed cascade from users by their own foreign keys (sessions and their
 * refresh tokens, blocks, read marks, …); reports the person filed lose their reporter id.
 */
export async function deleteUserData(trx: Transaction<Database>, userId: number): Promise<void> {
  const theirMatches = trx
    .selectFrom('matches')
    .select('id')
    .where((eb) => eb.or([eb('requester_id', '=', userId), eb('receiver_id', '=', userId)]));
  const theirChats = trx.selectFrom('chats').select('id').where('match_id', 'in', theirMatches);
  // Lock the chats first: a message committed into one of them between the two deletes below
  // would otherwise make the chat delete fail on its foreign key (the writer locks chats too).
  await trx.selectFrom('chats').select('id').where('match_id', 'in', theirMatches).orderBy('id').forUpdate().execute();
  await trx.deleteFrom('messages').where('chat_id', 'in', theirChats).execute();
  await trx.deleteFrom('messages').where('sender_id', '=', userId).execute();
  await trx.deleteFrom('chats').where('match_id', 'in', theirMatches).execute();
  await trx
    .deleteFrom('matches')
    .where((eb) => eb.or([eb('requester_id', '=', userId), eb('receiver_id', '=', userId)]))
    .execute();
  // Moderation keeps ids only once the person is gone: reports against them keep the reported id
  // (no foreign key), audit rows about them keep their ids but lose the moderator's free-text note.
  await trx.updateTable('moderation_audit').set({ note: null }).where('target_user_id', '=', userId).execute();
  await trx.deleteFrom('users').where('id', '=', userId).execute();
}

import { CompiledQuery, sql, type Transaction } from 'kysely';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { Database, Gender, NewUser, UserRow, UserUpdate } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

export const PROFILE_COLUMNS = [
  'id',
  'email',
  'name',
  'birth_date',
  'gender',
  'location',
  'job',
  'bio',
  'profile_img_url',
  'created_at',
  'birth_time',
  'birth_calendar',
  'is_leap_month',
  'lunar_birth_date',
  'interested_in',
  'saju_key',
] as const;

export type ProfileRow = Pick<UserRow, (typeof PROFILE_COLUMNS)[number]>;

export async function insertUser(trx: Executor, user: NewUser): Promise<ProfileRow> {
  return trx.insertInto('users').values(user).returning(PROFILE_COLUMNS).executeTakeFirstOrThrow();
}

export async function findCredentialsByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function findPasswordHash(db: Executor, userId: number): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row?.password_hash;
}

/**
 * The authenticated caller: their profile, only while the token's session is live. This runs on
 * every authenticated request, so it is compiled once and executed with fresh parameters,
 * which skips Kysely's per-call query building (the hot path stays near raw `pg`).
 */
export class SessionUserQuery {
  private readonly compiled: CompiledQuery<ProfileRow>;

  constructor(private readonly database: DatabaseHandle) {
    this.compiled = database.db
      .selectFrom('users as u')
      .innerJoin('auth_sessions as s', 's.user_id', 'u.id')
      .select(PROFILE_COLUMNS.map((c) => `u.${c}` as const))
      .where('s.id', '=', 0)
      .where('u.id', '=', 0)
      .where('s.revoked_at', 'is', null)
      .compile();
  }

  /** Every authenticated request runs this: a named prepared statement on PostgreSQL. */
  async find(sessionId: number, userId: number): Promise<ProfileRow | undefined> {
    const rows = await this.database.prepared('session_user_v1', this.compiled, [sessionId, userId]);
    return rows[0];
  }
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
 * Tables added beside the seed cascade from users by their own foreign keys.
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
  await trx.deleteFrom('users').where('id', '=', userId).execute();
}

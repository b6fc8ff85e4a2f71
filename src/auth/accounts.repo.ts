import type { CompiledQuery, Transaction } from 'kysely';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { Database, NewUser, UserRow } from '../db/schema.js';

/** Accounts: the user rows that registration, login and every authenticated request read or write. */

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
  'region',
  'preferred_regions',
  'age_min',
  'age_max',
  'discoverable',
  'show_activity',
  'push_previews',
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

  /** A named prepared statement on PostgreSQL: parsed and planned once per pool connection. */
  async find(sessionId: number, userId: number): Promise<ProfileRow | undefined> {
    const rows = await this.database.prepared('session_user_v1', this.compiled, [sessionId, userId]);
    return rows[0];
  }
}

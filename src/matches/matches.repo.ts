import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import { isActiveAccount } from '../auth/account-status.js';
import type { Database, MatchStatus } from '../db/schema.js';
import { isMatchOfPair } from '../db/user-pair.js';
import { notBlockedEitherWay } from '../safety/blocks.repo.js';

type Executor = Db | Transaction<Database>;

export interface MatchRow {
  id: number;
  requester_id: number;
  receiver_id: number;
  status: MatchStatus;
  compatibility_score: number | null;
  created_at: Date;
}

const MATCH_COLUMNS = ['id', 'requester_id', 'receiver_id', 'status', 'compatibility_score', 'created_at'] as const;

/**
 * Takes the requester's own user row lock for the rest of the transaction, so that one person's
 * concurrent requests are counted one after the other against the daily cap (from any process).
 * NO KEY UPDATE, not UPDATE: it must not conflict with the KEY SHARE locks that foreign key
 * checks of other people's inserts take on this row (that would deadlock mutual requests).
 */
export async function lockRequester(trx: Transaction<Database>, userId: number): Promise<void> {
  await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
}

/** The match row of an unordered pair (there is at most one), locked for the transaction. */
export async function findPairForUpdate(trx: Transaction<Database>, a: number, b: number): Promise<MatchRow | undefined> {
  const row = await trx
    .selectFrom('matches')
    .select(MATCH_COLUMNS)
    .where(isMatchOfPair('matches', a, b))
    .forUpdate()
    .executeTakeFirst();
  return row as MatchRow | undefined;
}

export async function findMatchForUpdate(trx: Transaction<Database>, matchId: number): Promise<MatchRow | undefined> {
  const row = await trx.selectFrom('matches').select(MATCH_COLUMNS).where('id', '=', matchId).forUpdate().executeTakeFirst();
  return row as MatchRow | undefined;
}

/** Requests the user created in [from, to): the daily cap counts rows, so it holds across processes. */
export async function countRequestsCreated(db: Executor, requesterId: number, from: Date, to: Date): Promise<number> {
  const row = await db
    .selectFrom('matches')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('requester_id', '=', requesterId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Inserts a request unless a row for the pair exists. Returns undefined on a conflict: the pair
 * unique index makes a concurrent insert of the reverse request wait for ours and then do nothing.
 */
export async function insertRequest(
  trx: Transaction<Database>,
  request: { requesterId: number; receiverId: number; score: number; createdAt: Date },
): Promise<MatchRow | undefined> {
  const row = await trx
    .insertInto('matches')
    .values({
      requester_id: request.requesterId,
      receiver_id: request.receiverId,
      status: 'requested',
      compatibility_score: request.score,
      created_at: request.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(MATCH_COLUMNS)
    .executeTakeFirst();
  return row as MatchRow | undefined;
}

export async function setStatus(trx: Transaction<Database>, matchId: number, status: MatchStatus): Promise<void> {
  await trx.updateTable('matches').set({ status }).where('id', '=', matchId).execute();
}

/** The match's chat, created if missing; UNIQUE(match_id) makes concurrent creators share one. */
export async function ensureChat(trx: Transaction<Database>, matchId: number): Promise<number> {
  await trx
    .insertInto('chats')
    .values({ match_id: matchId })
    .onConflict((oc) => oc.column('match_id').doNothing())
    .execute();
  const chat = await trx.selectFrom('chats').select('id').where('match_id', '=', matchId).executeTakeFirstOrThrow();
  return chat.id;
}

export interface MatchListFilters {
  direction?: 'sent' | 'received' | undefined;
  status?: MatchStatus | undefined;
}

export interface MatchListRow extends MatchRow {
  chat_id: number | null;
  partner_id: number;
  partner_name: string;
  partner_birth_date: string;
  partner_profile_img_url: string | null;
}

/** The caller's matches, newest first, without those whose partner is blocked either way, suspended or banned. */
export async function listMatches(db: Executor, userId: number, filters: MatchListFilters): Promise<MatchListRow[]> {
  let query = db
    .selectFrom('matches as m')
    .innerJoin('users as p', (join) =>
      join.on(sql<boolean>`p.id = CASE WHEN m.requester_id = ${userId} THEN m.receiver_id ELSE m.requester_id END`),
    )
    .leftJoin('chats as c', 'c.match_id', 'm.id')
    .select([
      'm.id',
      'm.requester_id',
      'm.receiver_id',
      'm.status',
      'm.compatibility_score',
      'm.created_at',
      sql<number | null>`CASE WHEN m.status = 'matched' THEN c.id END`.as('chat_id'),
      'p.id as partner_id',
      'p.name as partner_name',
      'p.birth_date as partner_birth_date',
      'p.profile_img_url as partner_profile_img_url',
    ])
    .where(notBlockedEitherWay(userId, sql.ref<number>('p.id')))
    .where(isActiveAccount('p'));
  if (filters.direction === 'sent') query = query.where('m.requester_id', '=', userId);
  else if (filters.direction === 'received') query = query.where('m.receiver_id', '=', userId);
  else query = query.where((eb) => eb.or([eb('m.requester_id', '=', userId), eb('m.receiver_id', '=', userId)]));
  if (filters.status) query = query.where('m.status', '=', filters.status);
  const rows = await query.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').execute();
  return rows as MatchListRow[];
}

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
  /** Set when either partner unmatched (the row is then 'declined'): gone for both, for good. */
  unmatched_at: Date | null;
}

const MATCH_COLUMNS = ['id', 'requester_id', 'receiver_id', 'status', 'compatibility_score', 'created_at', 'unmatched_at'] as const;

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

/**
 * Requests the user created in [from, to), withdrawn ones included: the daily cap counts rows, so
 * it holds across processes, and cancelling a request does not give it back.
 */
export async function countRequestsCreated(db: Executor, requesterId: number, from: Date, to: Date): Promise<number> {
  const row = await db
    .selectNoFrom((eb) =>
      eb(
        eb.selectFrom('matches').select((s) => s.fn.countAll<string>().as('n')).where('requester_id', '=', requesterId).where('created_at', '>=', from).where('created_at', '<', to),
        '+',
        eb
          .selectFrom('cancelled_match_requests')
          .select((s) => s.fn.countAll<string>().as('n'))
          .where('requester_id', '=', requesterId)
          .where('requested_at', '>=', from)
          .where('requested_at', '<', to),
      ).as('n'),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Withdraws a request: the row goes (the pair may request again); the cap still counts it. */
export async function deleteRequest(trx: Transaction<Database>, match: MatchRow, at: Date): Promise<void> {
  await trx.insertInto('cancelled_match_requests').values({ requester_id: match.requester_id, requested_at: match.created_at, cancelled_at: at }).execute();
  await trx.deleteFrom('matches').where('id', '=', match.id).execute();
}

/** Ends a match for good: 'declined' with the time and who ended it (chat and messages stay). */
export async function markUnmatched(trx: Transaction<Database>, matchId: number, userId: number, at: Date): Promise<void> {
  await trx.updateTable('matches').set({ status: 'declined', unmatched_at: at, unmatched_by: userId }).where('id', '=', matchId).execute();
}

export interface PastRow {
  user_id: number;
  name: string;
  ended_at: Date;
  reason: 'unmatched' | 'blocked';
}

/**
 * People whose match with the user was unmatched (by either) or whom the user blocked, since
 * `since`, newest first, each person once (their latest ending).
 */
export async function listPast(db: Executor, userId: number, since: Date): Promise<PastRow[]> {
  // Raw: DISTINCT ON over a UNION ALL of two differently shaped sources reads best as SQL.
  const result = await sql<PastRow>`
    SELECT user_id, name, ended_at, reason FROM (
      SELECT DISTINCT ON (e.user_id) e.user_id, p.name, e.ended_at, e.reason
      FROM (
        SELECT CASE WHEN m.requester_id = ${userId} THEN m.receiver_id ELSE m.requester_id END AS user_id,
               m.unmatched_at AS ended_at, 'unmatched' AS reason
        FROM matches m
        WHERE (m.requester_id = ${userId} OR m.receiver_id = ${userId}) AND m.unmatched_at >= ${since}
        UNION ALL
        SELECT b.blocked_id, b.created_at, 'blocked' FROM blocks b WHERE b.blocker_id = ${userId} AND b.created_at >= ${since}
      ) e
      JOIN users p ON p.id = e.user_id
      ORDER BY e.user_id, e.ended_at DESC
    ) latest
    ORDER BY ended_at DESC, user_id DESC`.execute(db);
  return result.rows;
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

/** The caller's matches, newest first, without those whose partner is blocked either way, suspended or banned, or that were unmatched. */
export async function listMatches(db: Executor, userId: number, filters: MatchListFilters): Promise<MatchListRow[]> {
  let query = db
    .selectFrom('matches as m')
    .innerJoin('users as p', (join) =>
      join.on((eb) => eb('p.id', '=', eb.case().when('m.requester_id', '=', userId).then(eb.ref('m.receiver_id')).else(eb.ref('m.requester_id')).end())),
    )
    .leftJoin('chats as c', 'c.match_id', 'm.id')
    .select((eb) => [
      'm.id',
      'm.requester_id',
      'm.receiver_id',
      'm.status',
      'm.compatibility_score',
      'm.created_at',
      eb.case().when('m.status', '=', 'matched').then(eb.ref('c.id')).end().as('chat_id'),
      'p.id as partner_id',
      'p.name as partner_name',
      'p.birth_date as partner_birth_date',
      'p.profile_img_url as partner_profile_img_url',
    ])
    .where(notBlockedEitherWay(userId, sql.ref<number>('p.id')))
    .where(isActiveAccount('p'))
    .where('m.unmatched_at', 'is', null);
  if (filters.direction === 'sent') query = query.where('m.requester_id', '=', userId);
  else if (filters.direction === 'received') query = query.where('m.receiver_id', '=', userId);
  else query = query.where((eb) => eb.or([eb('m.requester_id', '=', userId), eb('m.receiver_id', '=', userId)]));
  if (filters.status) query = query.where('m.status', '=', filters.status);
  const rows = await query.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').execute();
  return rows as MatchListRow[];
}

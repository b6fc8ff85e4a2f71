import type { Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database, MatchStatus } from '../db/schema.js';
import { conflict, forbidden, invalid, notFound, rateLimited, NOT_FOUND } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import { internationalAge } from '../lib/time.js';
import { compatibilityScore } from '../saju/index.js';
import { eitherBlocked } from '../safety/blocks.repo.js';
import type { ProfileRow } from '../auth/accounts.repo.js';
import { koreanDayOf, secondsUntilKoreanMidnight } from '../lib/korean-day.js';
import {
  countRequestsCreated,
  deleteRequest,
  ensureChat,
  findMatchForUpdate,
  findPairForUpdate,
  insertRequest,
  listMatches,
  listPast,
  lockRequester,
  markUnmatched,
  setStatus,
  type MatchListFilters,
  type MatchRow,
} from './matches.repo.js';
import { presentMatchListItem, presentPersonSummary } from './matches.presenter.js';
import { findPerson } from '../users/users.repo.js';
import { enqueuePush } from '../notifications/outbox.repo.js';

export type RequestOutcome =
  | { match_id: number; status: 'requested' }
  | { match_id: number; status: 'matched'; chat_id: number };

export const MATCH_EXISTS = 'Match request already exists';
/** How long ended matches and blocks stay in GET /api/matches/past. */
export const PAST_DAYS = 30;

/** Chat requests and their answers. Every race is settled in the database (see matches.repo). */
export class MatchesService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly requestsPerDay: number,
    private readonly now: () => Date,
  ) {}

  async request(caller: ProfileRow, receiverId: number): Promise<RequestOutcome> {
    if (receiverId === caller.id) {
      throw invalid('You cannot send a match request to yourself', [{ field: 'receiver_id', message: 'must not be your own id' }]);
    }
    const at = this.now();
    const day = koreanDayOf(at);
    const result = await this.db.transaction().execute(async (trx) => {
      await lockRequester(trx, caller.id);
      const receiver = await findPerson(trx, receiverId);
      if (!receiver || (await eitherBlocked(trx, caller.id, receiverId))) throw notFound(NOT_FOUND.user);
      let pair = await findPairForUpdate(trx, caller.id, receiverId);
      // Unmatched: the two are strangers for good, as if blocked.
      if (pair?.unmatched_at) throw notFound(NOT_FOUND.user);
      if (!pair) {
        const sent = await countRequestsCreated(trx, caller.id, day.start, day.end);
        if (sent >= this.requestsPerDay) {
          throw rateLimited(
            secondsUntilKoreanMidnight(at),
            `Daily match request limit reached (${this.requestsPerDay} per Korean day)`,
          );
        }
        const score = compatibilityScore(caller.saju_key, receiver.saju_key);
        const created = await insertRequest(trx, { requesterId: caller.id, receiverId, score, createdAt: at });
        if (created) {
          // The push rides in this transaction (the outbox): no request without its push, and no push without its request.
          await enqueuePush(trx, { userId: receiverId, kind: 'match_requested', aboutUserId: caller.id, matchId: created.id });
          return { kind: 'requested' as const, match: created, receiver };
        }
        // The reverse request committed between our look-up and our insert: answer as if it had
        // been there all along (a new statement sees the committed row).
        pair = await findPairForUpdate(trx, caller.id, receiverId);
        if (!pair) throw conflict(MATCH_EXISTS);
        if (pair.unmatched_at) throw notFound(NOT_FOUND.user);
      }
      if (pair.requester_id === receiverId && pair.status === 'requested') {
        // They asked first: this request answers theirs, exactly like an accept.
        await setStatus(trx, pair.id, 'matched');
        const chatId = await ensureChat(trx, pair.id);
        await enqueuePush(trx, { userId: receiverId, kind: 'match_accepted', aboutUserId: caller.id, matchId: pair.id, chatId });
        return { kind: 'matched' as const, match: pair, chatId };
      }
      throw conflict(MATCH_EXISTS);
    });

    // Published only after the commit above.
    if (result.kind === 'requested') {
      this.events.publish('matchRequested', {
        matchId: result.match.id,
        receiverId,
        requester: { ...presentPersonSummary(caller), age: internationalAge(caller.birth_date, day.date) },
        compatibilityScore: result.match.compatibility_score ?? 0,
      });
      return { match_id: result.match.id, status: 'requested' };
    }
    this.publishAccepted(result.match, result.chatId, caller);
    return { match_id: result.match.id, status: 'matched', chat_id: result.chatId };
  }

  /** Receiver only; idempotent on a matched match; concurrent accepts share one chat. */
  async accept(caller: ProfileRow, matchId: number): Promise<{ match_id: number; status: 'matched'; chat_id: number }> {
    const result = await this.db.transaction().execute(async (trx) => {
      const match = await this.answerable(trx, caller.id, matchId);
      if (match.status === 'declined') throw conflict('This match request was declined');
      const transitioned = match.status === 'requested';
      if (transitioned) await setStatus(trx, match.id, 'matched');
      const chatId = await ensureChat(trx, match.id);
      if (transitioned) {
        await enqueuePush(trx, { userId: match.requester_id, kind: 'match_accepted', aboutUserId: caller.id, matchId: match.id, chatId });
      }
      return { match, chatId, transitioned };
    });
    if (result.transitioned) this.publishAccepted(result.match, result.chatId, caller);
    return { match_id: matchId, status: 'matched', chat_id: result.chatId };
  }

  /** Receiver only; idempotent on a declined match; a matched one cannot be declined. */
  async decline(caller: ProfileRow, matchId: number): Promise<{ match_id: number; status: 'declined' }> {
    await this.db.transaction().execute(async (trx) => {
      const match = await this.answerable(trx, caller.id, matchId);
      if (match.status === 'matched') throw conflict('This match request was already accepted');
      if (match.status === 'requested') await setStatus(trx, match.id, 'declined');
    });
    return { match_id: matchId, status: 'declined' };
  }

  /**
   * The requester withdraws a pending request: the row goes from both lists and the pair may
   * request again (the daily cap still counts it). The receiver gets 403, anyone else 404, a
   * request already answered 409.
   */
  async cancel(caller: ProfileRow, matchId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const match = await this.visibleMatch(trx, caller.id, matchId);
      if (match.receiver_id === caller.id) throw forbidden('Only the requester can cancel a match request');
      if (match.status !== 'requested') throw conflict('This match request was already answered');
      await deleteRequest(trx, match, this.now());
    });
  }

  /**
   * Either partner ends a match, permanently and silently: it leaves both match lists, its chat
   * both chat lists, and the two never meet again in recommendations or requests. The chat and its
   * messages stay stored (moderation evidence). Again → 204; not a participant → 404; a request
   * that was never accepted → 409 (cancel or decline it). Works whatever the blocks: someone who
   * blocked their match may also end it.
   */
  async unmatch(caller: ProfileRow, matchId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const match = await findMatchForUpdate(trx, matchId);
      if (!match || (match.requester_id !== caller.id && match.receiver_id !== caller.id)) throw notFound(NOT_FOUND.match);
      if (match.unmatched_at) return;
      if (match.status !== 'matched') throw conflict('Only a matched match can be unmatched');
      await markUnmatched(trx, match.id, caller.id, this.now());
    });
  }

  /** People whose match ended (either side unmatched) or whom the caller blocked, last 30 days. */
  async past(userId: number) {
    const since = new Date(this.now().getTime() - PAST_DAYS * 86_400_000);
    const rows = await listPast(this.db, userId, since);
    return rows.map((r) => ({ user_id: r.user_id, name: r.name, ended_at: r.ended_at.toISOString(), reason: r.reason }));
  }

  async list(userId: number, filters: MatchListFilters) {
    const today = koreanDayOf(this.now()).date;
    const rows = await listMatches(this.db, userId, filters);
    return rows.map((row) => presentMatchListItem(row, userId, today));
  }

  /**
   * The match, locked, if the caller may answer it. Someone else's match (or one hidden by a
   * block) is a 404 that reveals nothing; the requester, who can see it, gets 403.
   */
  private async answerable(trx: Transaction<Database>, userId: number, matchId: number): Promise<MatchRow & { status: MatchStatus }> {
    const match = await this.visibleMatch(trx, userId, matchId);
    if (match.requester_id === userId) throw forbidden('Only the receiver of a match request can answer it');
    return match;
  }

  /** The match, locked, if the caller takes part in it and it is not hidden (by a block or an unmatch); else 404. */
  private async visibleMatch(trx: Transaction<Database>, userId: number, matchId: number): Promise<MatchRow> {
    const match = await findMatchForUpdate(trx, matchId);
    const isParticipant = match && (match.requester_id === userId || match.receiver_id === userId);
    if (!match || !isParticipant || match.unmatched_at) throw notFound(NOT_FOUND.match);
    const partnerId = match.requester_id === userId ? match.receiver_id : match.requester_id;
    if (await eitherBlocked(trx, userId, partnerId)) throw notFound(NOT_FOUND.match);
    return match;
  }

  /** To the original requester: their request was accepted by `accepter`. */
  private publishAccepted(match: MatchRow, chatId: number, accepter: ProfileRow): void {
    this.events.publish('matchAccepted', {
      matchId: match.id,
      chatId,
      requesterId: match.requester_id,
      receiverId: match.receiver_id,
      partner: presentPersonSummary(accepter),
    });
  }
}

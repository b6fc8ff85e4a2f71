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
  ensureChat,
  findMatchForUpdate,
  findPairForUpdate,
  insertRequest,
  listMatches,
  lockRequester,
  setStatus,
  type MatchListFilters,
  type MatchRow,
} from './matches.repo.js';
import { presentMatchListItem, presentPersonSummary } from './matches.presenter.js';
import { findPerson } from '../users/users.repo.js';

export type RequestOutcome =
  | { match_id: number; status: 'requested' }
  | { match_id: number; status: 'matched'; chat_id: number };

export const MATCH_EXISTS = 'Match request already exists';

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
        if (created) return { kind: 'requested' as const, match: created, receiver };
        // The reverse request committed between our look-up and our insert: answer as if it had
        // been there all along (a new statement sees the committed row).
        pair = await findPairForUpdate(trx, caller.id, receiverId);
        if (!pair) throw conflict(MATCH_EXISTS);
      }
      if (pair.requester_id === receiverId && pair.status === 'requested') {
        // They asked first: this request answers theirs, exactly like an accept.
        await setStatus(trx, pair.id, 'matched');
        const chatId = await ensureChat(trx, pair.id);
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
    const match = await findMatchForUpdate(trx, matchId);
    const isParticipant = match && (match.requester_id === userId || match.receiver_id === userId);
    if (!match || !isParticipant) throw notFound(NOT_FOUND.match);
    const partnerId = match.requester_id === userId ? match.receiver_id : match.requester_id;
    if (await eitherBlocked(trx, userId, partnerId)) throw notFound(NOT_FOUND.match);
    if (match.requester_id === userId) throw forbidden('Only the receiver of a match request can answer it');
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

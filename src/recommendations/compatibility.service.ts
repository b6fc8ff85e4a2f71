import type { Db } from '../db/database.js';
import { invalid, notFound, NOT_FOUND } from '../lib/errors.js';
import { chartFromKey, compatibility } from '../saju/index.js';
import { eitherBlocked } from '../safety/blocks.repo.js';
import type { ProfileRow } from '../auth/accounts.repo.js';
import { findPerson } from '../users/users.repo.js';
import { pairMatched } from './recommendations.repo.js';

/** 궁합 with one person, explained: the same score as recommendations and requests store. */
export class CompatibilityService {
  constructor(private readonly db: Db) {}

  async with(caller: ProfileRow, userId: number) {
    // Compatibility is between two people; asking about oneself is a client bug, not a query.
    if (userId === caller.id) {
      throw invalid('You cannot check compatibility with yourself', [{ field: 'user_id', message: 'must not be your own id' }]);
    }
    const other = await findPerson(this.db, userId);
    if (!other || (await eitherBlocked(this.db, caller.id, userId))) throw notFound(NOT_FOUND.user);
    // Birth data stays private until the two are matched: before that, the texts never name the
    // other's month or hour pillar (saju/compatibility.ts, 'private'). Score and points are the same.
    const view = (await pairMatched(this.db, caller.id, userId)) ? 'full' : 'private';
    // The caller is "나" in the Korean texts; the points do not depend on the order.
    const result = compatibility(chartFromKey(caller.saju_key), chartFromKey(other.saju_key), { view });
    return {
      user_id: other.id,
      compatibility_score: result.score,
      breakdown: result.breakdown.map(({ rule, points, description }) => ({ rule, points, description })),
      summary: result.summary,
    };
  }
}

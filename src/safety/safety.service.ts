import type { Db } from '../db/database.js';
import { invalid, notFound, rateLimited, NOT_FOUND } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import { deleteBlock, insertBlock, userExists } from './blocks.repo.js';
import { insertReport } from './reports.repo.js';

export const REASON_MAX = 500;
export const DETAILS_MAX = 2000;
/** Reports one person may file per hour (on every process, through the shared limiter): far above
 * what anyone needs, low enough that nobody can flood the moderators. */
export const REPORTS_PER_HOUR = 30;

export interface ReportInput {
  reason: string;
  details?: string | null | undefined;
}

/**
 * Blocks and reports. A block hides two people from each other everywhere (recommendations,
 * profiles, match and chat lists) by filters, so unblocking brings everything back; nothing is
 * deleted. Reports work whatever the block state: blocking and reporting usually go together.
 */
export class SafetyService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
  ) {}

  /** Idempotent: blocking again is a no-op (and publishes nothing). */
  async block(blockerId: number, userId: number): Promise<void> {
    if (userId === blockerId) throw invalid('You cannot block yourself', [{ field: 'user_id', message: 'must not be your own id' }]);
    const outcome = await insertBlock(this.db, blockerId, userId);
    if (outcome === 'no_such_user') throw notFound(NOT_FOUND.user);
    if (outcome === 'blocked') this.events.publish('userBlocked', { blockerId, blockedId: userId });
  }

  /** Idempotent: unblocking someone not blocked is a no-op. Only the caller's own block is lifted. */
  async unblock(blockerId: number, userId: number): Promise<void> {
    if (userId === blockerId) throw invalid('You cannot unblock yourself', [{ field: 'user_id', message: 'must not be your own id' }]);
    if (!(await userExists(this.db, userId))) throw notFound(NOT_FOUND.user);
    await deleteBlock(this.db, blockerId, userId);
  }

  async report(reporterId: number, userId: number, input: ReportInput): Promise<{ report_id: number }> {
    if (userId === reporterId) throw invalid('You cannot report yourself', [{ field: 'user_id', message: 'must not be your own id' }]);
    const reason = input.reason.trim();
    const characters = [...reason].length; // code points, as the schema and PostgreSQL count them
    if (characters === 0 || characters > REASON_MAX) {
      throw invalid(`Invalid field 'reason': must be 1 to ${REASON_MAX} characters`, [
        { field: 'reason', message: `must be 1 to ${REASON_MAX} characters` },
      ]);
    }
    const details = input.details?.trim() || null;
    const attempt = await this.limiter.hit(`report:user:${reporterId}`, REPORTS_PER_HOUR, 3600);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfterSeconds, 'Too many reports, please try again later');
    const reportId = await insertReport(this.db, { reporterId, reportedUserId: userId, reason, details });
    if (reportId === undefined) throw notFound(NOT_FOUND.user);
    return { report_id: reportId };
  }
}

import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** How long a person counts as "active recently" after using the API (contract: 24 hours). */
export const ACTIVE_RECENTLY_HOURS = 24;

/**
 * Remembers that people use the API (`user_activity.last_active_at`), cheaply: at most one write
 * per person per window (an hour) and process, decided in memory, sent without waiting for it, so
 * that an authenticated request costs a Set lookup. The sets are generations of one window each
 * (the previous one dropped as a whole), so memory holds only the people active in the last hour
 * or two. The stored time may thus lag real use by up to the window: `active_recently` is exact
 * to about an hour.
 */
export class ActivityTracker {
  private current = new Set<number>();
  private windowStart: number;

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly windowMs = 3_600_000,
    private readonly clock: () => number = Date.now,
  ) {
    this.windowStart = clock();
  }

  touch(userId: number): void {
    const t = this.clock();
    if (t - this.windowStart >= this.windowMs) {
      this.current = new Set();
      this.windowStart = t;
    }
    if (this.current.has(userId)) return;
    this.current.add(userId);
    this.db
      .insertInto('user_activity')
      .values({ user_id: userId, last_active_at: sql<Date>`now()` })
      .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ last_active_at: eb.ref('excluded.last_active_at') })))
      .execute()
      .catch((err: unknown) => {
        // Forget it, so that a later request tries again (the user may also have just been deleted).
        this.current.delete(userId);
        if ((err as { code?: string }).code !== '23503') this.onError(err);
      });
  }
}

/**
 * SQL: whether the user `u` (alias) shows as active: true within the last 24 hours, false before,
 * NULL when they turned show_activity off. `a` is the alias of their user_activity row (LEFT JOIN).
 */
// Raw: the builder has no interval arithmetic.
export function activeRecentlySql(u: string, a: string) {
  return sql<boolean | null>`CASE WHEN NOT ${sql.ref(`${u}.show_activity`)} THEN NULL
    ELSE COALESCE(${sql.ref(`${a}.last_active_at`)} > now() - make_interval(hours => ${ACTIVE_RECENTLY_HOURS}), false) END`;
}

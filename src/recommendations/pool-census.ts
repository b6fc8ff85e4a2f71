import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { REGIONS } from '../users/regions.js';
import { birthDateBounds, type Seeker } from './discovery.js';

/** How often the counts are read again (in the background; a request never waits for it). */
const REFRESH_MS = 3_600_000;

/**
 * Discoverable people counted by (gender, region, birth year, a gender they accept): a few
 * thousand numbers, read with one GROUP BY when the server starts and again hourly. They tell a
 * seeker's pool size — the people of their genders, regions and birth years who accept the
 * seeker's gender — without asking the
 * database, so that only seekers with a small pool pay for the exact look-up of its chart keys.
 * An estimate only decides the path, never the result: stale counts cost time, not correctness.
 */
export class PoolCensus {
  private counts = new Map<string, number>();
  private total = 0;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Reads the counts now (start-up); later calls refresh in the background when they are old. */
  load(): Promise<void> {
    this.loading ??= this.read().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /**
   * People of the seeker's genders, regions and birth years who accept the seeker's gender (an upper bound of the pool); null
   * before the first load, and while everyone together is fewer than `small` (then any pool is
   * small: the caller decides by the preferences alone).
   */
  estimate(seeker: Seeker, today: string, small: number): number | null {
    if (this.clock() - this.loadedAt > REFRESH_MS) void this.load().catch(() => {});
    if (this.loadedAt === Number.NEGATIVE_INFINITY || this.total <= small) return null;
    const { after, upTo } = birthDateBounds(seeker.age_min, seeker.age_max, today);
    const from = after === null ? 1900 : Number(after.slice(0, 4));
    const to = upTo === null ? Number(today.slice(0, 4)) : Number(upTo.slice(0, 4));
    const regions: Array<string | null> = seeker.preferred_regions.length > 0 ? seeker.preferred_regions : [...REGIONS, null];
    let total = 0;
    // Only people who accept the seeker's gender: few accept `other`, and without this the
    // estimate of such a seeker counted everyone of their genders (half the country).
    for (const gender of seeker.interested_in) {
      for (const region of regions) {
        for (let year = from; year <= to; year++) total += this.counts.get(`${gender}|${region ?? ''}|${year}|${seeker.gender}`) ?? 0;
      }
    }
    return total;
  }

  private async read(): Promise<void> {
    const result = await sql<{ gender: string; region: string | null; year: number; accepts: string[]; n: number }>`
      SELECT gender::text AS gender, region, extract(year FROM birth_date)::int AS year,
        interested_in::text[] AS accepts, count(*)::int AS n
      FROM users WHERE discoverable GROUP BY 1, 2, 3, 4`.execute(this.db);
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of result.rows) {
      // Counted once per gender they accept (the seeker's gender picks the counts).
      for (const accepted of r.accepts) {
        const key = `${r.gender}|${r.region ?? ''}|${r.year}|${accepted}`;
        counts.set(key, (counts.get(key) ?? 0) + r.n);
      }
      total += r.n;
    }
    this.counts = counts;
    this.total = total;
    this.loadedAt = this.clock();
  }
}

import type { Db } from '../db/database.js';
import { SAJU_ALGORITHM_VERSION } from '../saju/index.js';
import { KeyRanking } from './key-ranking.js';
import type { SajuKeyUniverse } from './key-universe.js';

const RESAVE_AFTER_SEQS = 1000;

/**
 * Keys kept per shared ranking. Most seekers want ages within about ±5 years, and the walk skips
 * every key whose year pillar nobody of those ages can have (keyAgeFilter): of a ranking's keys
 * only ~1 in 6 reaches the database. With 512 kept, ~10 % of first calls of the day at 1M users
 * ran the ranking dry and scored the whole universe (~100 ms); with 2,048 almost none do. Scoring
 * costs the same either way (the universe is scored whole); a ranking takes ~10 KB in
 * saju_key_rankings (~1 GB if all ~107k chart keys of 1M people have one) and in this process's cache.
 */
export const SHARED_RANKING_KEEP = 2048;

export interface KeyRankingsOptions {
  /** Keys kept per ranking (whole score levels, so a few more). */
  keep?: number;
  /** Rankings kept in this process (≈ 5 bytes × keep each: ~40 MB at the defaults). */
  cached?: number;
}

/**
 * The ranking of chart keys for a chart key, from the cheapest place that has it: this process's
 * LRU map, the saju_key_rankings table (shared by every process, survives restarts and days), or
 * computed (once per chart key and saju algorithm version). New keys that joined the universe
 * since are merged in, so a stored ranking never goes stale.
 */
export class KeyRankings {
  private readonly keep: number;
  private readonly cachedMax: number;
  private readonly cache = new Map<number, KeyRanking>();

  constructor(
    private readonly db: Db,
    private readonly universe: SajuKeyUniverse,
    options: KeyRankingsOptions = {},
  ) {
    this.keep = options.keep ?? SHARED_RANKING_KEEP;
    this.cachedMax = options.cached ?? 4096;
  }

  /** The best-scoring part of the universe for `key` (`complete` says whether it is all of it). */
  async forKey(key: number): Promise<KeyRanking> {
    const cached = this.cache.get(key);
    const [, loaded] = await Promise.all([this.universe.sync(), cached ? undefined : this.load(key)]);
    let ranking = cached ?? loaded;
    if (!ranking) {
      ranking = await KeyRanking.compute(key, this.universe.all(), this.universe.seq, this.keep);
      await this.save(ranking);
    } else if (ranking.universeSeq < this.universe.seq) {
      // A ranking deepened for a selective caller stays that deep.
      const keep = Math.max(this.keep, ranking.length);
      const merged = ranking.merge(this.universe.addedAfter(ranking.universeSeq), this.universe.seq, keep);
      // Written back when it changed, or when many keys were looked at for nothing (so that
      // later loads need not score them again).
      const lookedAt = this.universe.seq - ranking.universeSeq;
      if (merged.keys !== ranking.keys || lookedAt > RESAVE_AFTER_SEQS) await this.save(merged);
      ranking = merged;
    }
    this.remember(key, ranking);
    return ranking;
  }

  /**
   * Every key of the universe, ranked: for the rare caller whom the kept part leaves short (very
   * selective interests). The stored ranking is deepened fourfold (from `ranDry`, the ranking that
   * left the caller short, when given: after a restart the cache is empty, and deepening from the
   * default depth again would store the same too-short ranking every day), so that next time it suffices.
   */
  async full(key: number, ranDry?: KeyRanking): Promise<KeyRanking> {
    await this.universe.sync();
    const full = await KeyRanking.compute(key, this.universe.all(), this.universe.seq, Number.POSITIVE_INFINITY);
    const current = Math.max(ranDry?.length ?? 0, this.cache.get(key)?.length ?? this.keep);
    const deeper = full.truncated(Math.max(this.keep, current * 4));
    await this.save(deeper);
    this.remember(key, deeper);
    return full;
  }

  private remember(key: number, ranking: KeyRanking): void {
    this.cache.delete(key);
    this.cache.set(key, ranking);
    if (this.cache.size > this.cachedMax) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private async load(key: number): Promise<KeyRanking | undefined> {
    const row = await this.db
      .selectFrom('saju_key_rankings')
      .select(['algorithm_version', 'universe_seq', 'complete', 'ranked_keys', 'ranked_scores'])
      .where('saju_key', '=', key)
      .executeTakeFirst();
    if (!row || row.algorithm_version !== SAJU_ALGORITHM_VERSION) return undefined;
    const packed = Buffer.from(row.ranked_keys.buffer, row.ranked_keys.byteOffset, row.ranked_keys.byteLength);
    const keys = new Int32Array(packed.length / 4);
    for (let i = 0; i < keys.length; i++) keys[i] = packed.readInt32LE(i * 4);
    return new KeyRanking(key, keys, Uint8Array.from(row.ranked_scores), row.complete, Number(row.universe_seq));
  }

  /** Upsert; a concurrent writer that saw more of the universe wins. */
  private async save(ranking: KeyRanking): Promise<void> {
    const packed = Buffer.alloc(ranking.length * 4);
    ranking.keys.forEach((k, i) => packed.writeInt32LE(k, i * 4));
    const values = {
      saju_key: ranking.callerKey,
      algorithm_version: SAJU_ALGORITHM_VERSION,
      universe_seq: ranking.universeSeq,
      complete: ranking.complete,
      ranked_keys: packed,
      ranked_scores: Buffer.from(ranking.scores),
      updated_at: new Date(),
    };
    await this.db
      .insertInto('saju_key_rankings')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('saju_key')
          .doUpdateSet({
            algorithm_version: values.algorithm_version,
            universe_seq: values.universe_seq,
            complete: values.complete,
            ranked_keys: values.ranked_keys,
            ranked_scores: values.ranked_scores,
            updated_at: values.updated_at,
          })
          .where((eb) =>
            eb.or([
              eb('saju_key_rankings.universe_seq', '<=', values.universe_seq),
              eb('saju_key_rankings.algorithm_version', '<>', values.algorithm_version),
            ]),
          ),
      )
      .execute();
  }
}

import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Seq values are taken when a row is inserted but become visible when its transaction commits, so
 * a registration committing late can show up below the highest seq already read. Every read looks
 * this far back again (and drops keys it already has), so such a key is not missed.
 */
export const SEQ_OVERLAP = 64;

/**
 * This process's copy of saju_keys: every chart key any user has. The first sync reads the whole
 * table (tens of thousands of rows); later ones only what was added since.
 */
export class SajuKeyUniverse {
  private keys = new Int32Array(1024);
  private seqs = new Float64Array(1024);
  private size = 0;
  private readonly known = new Set<number>();
  private lastSeq = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** The highest seq read so far. */
  get seq(): number {
    return this.lastSeq;
  }

  get count(): number {
    return this.size;
  }

  /** Catches up with the table; concurrent callers share one query. */
  sync(): Promise<void> {
    this.pending ??= this.read().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Every key, in the order this process learnt them. */
  all(): Int32Array {
    return this.keys.subarray(0, this.size);
  }

  /** The keys whose seq is above `seq` (and those a little below: see SEQ_OVERLAP). */
  addedAfter(seq: number): Int32Array {
    const from = seq - SEQ_OVERLAP;
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.seqs[i]! > from) out.push(this.keys[i]!);
    return Int32Array.from(out);
  }

  private async read(): Promise<void> {
    const from = this.size === 0 ? 0 : this.lastSeq - SEQ_OVERLAP;
    const result = await sql<{ saju_key: number; seq: number }>`
      SELECT saju_key, seq FROM saju_keys WHERE seq > ${from} ORDER BY seq`.execute(this.db);
    for (const row of result.rows) {
      const seq = Number(row.seq);
      if (seq > this.lastSeq) this.lastSeq = seq;
      if (this.known.has(row.saju_key)) continue;
      this.known.add(row.saju_key);
      this.push(row.saju_key, seq);
    }
  }

  private push(key: number, seq: number): void {
    if (this.size === this.keys.length) {
      const keys = new Int32Array(this.size * 2);
      keys.set(this.keys);
      const seqs = new Float64Array(this.size * 2);
      seqs.set(this.seqs);
      this.keys = keys;
      this.seqs = seqs;
    }
    this.keys[this.size] = key;
    this.seqs[this.size] = seq;
    this.size += 1;
  }
}

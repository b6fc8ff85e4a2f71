import { compatibilityScore } from '../saju/index.js';

/** Marks a key the saju engine rejects (a user row inserted without a real chart). */
const UNSCORABLE = 255;
const LEVELS = 101;
/** Keys scored between two yields to the event loop (~10 ms of work). */
const SLICE = 16_384;

function scoreOrUnscorable(callerKey: number, key: number): number {
  try {
    return compatibilityScore(callerKey, key);
  } catch {
    return UNSCORABLE;
  }
}

/**
 * The chart keys of the universe ordered by their 궁합 score with one chart key (best first; keys
 * of equal score by ascending key). Recommendations rank these ~tens of thousands of charts
 * instead of a million people.
 *
 * A ranking may hold only the best part of the universe: it then keeps every key scoring at least
 * `floor` (whole score levels, so a level is never cut in half) and `complete` is false. Adding
 * the keys that appeared later keeps it exact: the best of (best of A) ∪ B is the best of A ∪ B.
 */
export class KeyRanking {
  constructor(
    readonly callerKey: number,
    readonly keys: Int32Array,
    readonly scores: Uint8Array,
    /** True when no key of the universe (up to universeSeq) was left out. */
    readonly complete: boolean,
    /** The last saju_keys.seq this ranking has taken into account. */
    readonly universeSeq: number,
  ) {}

  get length(): number {
    return this.keys.length;
  }

  /**
   * Scores every key once (the cold path: ~0.5–2 µs per key) and keeps about `keep` keys. It
   * yields to the event loop between slices, so a large universe does not stall other requests.
   */
  static async compute(callerKey: number, universe: ArrayLike<number>, universeSeq: number, keep: number): Promise<KeyRanking> {
    const n = universe.length;
    const scores = new Uint8Array(n);
    const perLevel = new Int32Array(LEVELS);
    for (let from = 0; from < n; from += SLICE) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const to = Math.min(n, from + SLICE);
      for (let i = from; i < to; i++) {
        const s = scoreOrUnscorable(callerKey, universe[i]!);
        scores[i] = s;
        if (s !== UNSCORABLE) perLevel[s]! += 1;
      }
    }
    return KeyRanking.fromScored(callerKey, universe, scores, perLevel, universeSeq, keep);
  }

  /** The ranking with `added` keys (their seq ≤ universeSeq) merged in; `this` if none changes it. */
  merge(added: ArrayLike<number>, universeSeq: number, keep: number): KeyRanking {
    const present = new Set(this.keys);
    const fresh: number[] = [];
    const freshScores: number[] = [];
    const floor = this.length > 0 ? this.scores[this.length - 1]! : 0;
    for (let i = 0; i < added.length; i++) {
      const key = added[i]!;
      if (present.has(key)) continue;
      const s = scoreOrUnscorable(this.callerKey, key);
      // A key below the floor of a partial ranking would not have made it in: leave it out.
      if (s === UNSCORABLE || (!this.complete && s < floor)) continue;
      present.add(key);
      fresh.push(key);
      freshScores.push(s);
    }
    if (fresh.length === 0) {
      return new KeyRanking(this.callerKey, this.keys, this.scores, this.complete, Math.max(this.universeSeq, universeSeq));
    }
    const all = new Int32Array(this.length + fresh.length);
    all.set(this.keys);
    all.set(fresh, this.length);
    const scores = new Uint8Array(all.length);
    scores.set(this.scores);
    scores.set(freshScores, this.length);
    const perLevel = new Int32Array(LEVELS);
    for (const s of scores) perLevel[s]! += 1;
    const merged = KeyRanking.fromScored(this.callerKey, all, scores, perLevel, Math.max(this.universeSeq, universeSeq), keep);
    // A partial ranking stays partial even if the merge did not overflow it.
    return this.complete ? merged : new KeyRanking(merged.callerKey, merged.keys, merged.scores, false, merged.universeSeq);
  }

  /** The best whole score levels holding at least `keep` keys (this ranking if it has no more). */
  truncated(keep: number): KeyRanking {
    if (this.length <= keep) return this;
    let end = keep;
    while (end < this.length && this.scores[end] === this.scores[end - 1]) end += 1;
    if (end === this.length) return this;
    return new KeyRanking(this.callerKey, this.keys.slice(0, end), this.scores.slice(0, end), false, this.universeSeq);
  }

  /** Whole score levels, best first, until at least `keep` keys (counted, so only those are sorted). */
  private static fromScored(
    callerKey: number,
    keys: ArrayLike<number>,
    scores: Uint8Array,
    perLevel: Int32Array,
    universeSeq: number,
    keep: number,
  ): KeyRanking {
    let kept = 0;
    let lowest = LEVELS;
    let scorable = 0;
    for (let level = LEVELS - 1; level >= 0; level--) scorable += perLevel[level]!;
    for (let level = LEVELS - 1; level >= 0 && kept < keep; level--) {
      kept += perLevel[level]!;
      lowest = level;
    }
    // Counting sort by level (best first), then each level's keys ascending: no per-key tuples and
    // no comparator calls (a full ranking of ~100k keys sorted tuples in ~100 ms).
    const start = new Int32Array(LEVELS + 1);
    let total = 0;
    for (let level = LEVELS - 1; level >= lowest; level--) {
      start[level] = total;
      total += perLevel[level]!;
    }
    const outKeys = new Int32Array(total);
    const outScores = new Uint8Array(total);
    const fill = start.slice();
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s !== UNSCORABLE && s >= lowest) {
        const at = fill[s]!++;
        outKeys[at] = keys[i]!;
        outScores[at] = s;
      }
    }
    // Deterministic order inside a level (ascending key).
    for (let level = LEVELS - 1; level >= lowest; level--) {
      const from = start[level]!;
      const to = from + perLevel[level]!;
      if (to - from > 1) outKeys.subarray(from, to).sort();
    }
    return new KeyRanking(callerKey, outKeys, outScores, kept === scorable, universeSeq);
  }
}

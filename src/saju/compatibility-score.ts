// The fast path: compatibilityScore(keyA, keyB) equals compatibility(chartFromKey(keyA),
// chartFromKey(keyB)).score, but reads precomputed tables instead of building explanations, so
// recommendations can score millions of pairs per second (bench/saju.ts).
//
// Equality with the explainable path holds by construction: the stem and branch tables are the
// sums of the very rows compatibility() emits, and the element and 용신 rules call the same
// functions of compatibility-rules.ts. test/saju/compatibility.test.ts checks it on random pairs.
import { chartFromKey } from './chart-key.js';
import { chartFeatures } from './chart-features.js';
import {
  BASE_SCORE,
  DAY_MASTER_POINTS,
  ELEMENT_COMPLEMENT,
  MAX_SCORE,
  MIN_SCORE,
  balancePointsForMissing,
  complementDirection,
  yongshinDirection,
} from './compatibility-rules.js';
import { branchRows } from './compatibility.js';
import { ELEMENT_COUNT } from './five-elements.js';
import { stemRelation } from './relations.js';
import { BRANCHES } from './stems-branches.js';

const NO_HOUR = 12;

const DAY_MASTER = new Int8Array(100);
for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) DAY_MASTER[a * 10 + b] = DAY_MASTER_POINTS[stemRelation(a, b)];

/** Sum of a position's relation rows for every branch pair; index half·144 + a·12 + b. */
function branchTable(position: 'day' | 'month' | 'year'): Int8Array {
  const table = new Int8Array(2 * 144);
  for (let half = 0; half < 2; half++) {
    for (let a = 0; a < 12; a++) {
      for (let b = 0; b < 12; b++) {
        const rows = branchRows(position, BRANCHES[a]!, BRANCHES[b]!, half === 1);
        table[half * 144 + a * 12 + b] = rows.reduce((sum, r) => sum + r.points, 0);
      }
    }
  }
  return table;
}
const DAY_BRANCH = branchTable('day');
const MONTH_BRANCH = branchTable('month');
const YEAR_BRANCH = branchTable('year');

/** Hour relations, 13×13 with index 12 for an unknown time (no rows at all). */
const HOUR_BRANCH = new Int8Array(13 * 13);
for (let a = 0; a < 12; a++) {
  for (let b = 0; b < 12; b++) {
    HOUR_BRANCH[a * 13 + b] = branchRows('hour', BRANCHES[a]!, BRANCHES[b]!, false).reduce((s, r) => s + r.points, 0);
  }
}

/** complementDirection for every (receiver missing, giver rich, giver single) mask triple. */
const COMPLEMENT = new Int8Array(1 << 15);
for (let i = 0; i < 1 << 15; i++) COMPLEMENT[i] = complementDirection(i >> 10, (i >> 5) & 31, i & 31);

const BALANCE = new Int8Array(32);
for (let m = 0; m < 32; m++) BALANCE[m] = balancePointsForMissing(m);

/** yongshinDirection for every (receiver 용신, giver day-master element, giver rich mask). */
const YONGSHIN = new Int8Array(ELEMENT_COUNT * ELEMENT_COUNT * 32);
for (let y = 0; y < ELEMENT_COUNT; y++) {
  for (let d = 0; d < ELEMENT_COUNT; d++) {
    for (let r = 0; r < 32; r++) YONGSHIN[(y * ELEMENT_COUNT + d) * 32 + r] = yongshinDirection(y, d, r);
  }
}

// A direct-mapped memo of per-key features: fixed memory, no eviction bookkeeping, and the answer
// never depends on what is cached (a miss recomputes the same features from the key). One extra
// slot past the table holds the first key of a pair whose two keys share a slot. 2^17 slots
// (6.5 MB): a million people have ≈ 107k chart keys, and with 2^16 slots a full-universe ranking
// (the fallback for a selective seeker) missed on most keys of every scan.
const CACHE_BITS = 17;
const SLOTS = 1 << CACHE_BITS;
const COLLISION_SLOT = SLOTS;
const STRIDE = 12;
const cachedKeys = new Int32Array(SLOTS + 1).fill(-1);
const cachedFeatures = new Int32Array((SLOTS + 1) * STRIDE);
const F_DAY_STEM = 0;
const F_DAY_BRANCH = 1;
const F_MONTH_BRANCH = 2;
const F_YEAR_BRANCH = 3;
const F_HOUR_BRANCH = 4;
const F_MONTH_HALF = 5;
const F_YEAR_HALF = 6;
const F_MISSING = 7;
const F_SINGLE = 8;
const F_RICH = 9;
const F_DAY_MASTER_ELEMENT = 10;
const F_YONGSHIN = 11;

function store(slot: number, key: number): void {
  const f = chartFeatures(chartFromKey(key)); // throws RangeError for an invalid key
  const base = slot * STRIDE;
  cachedFeatures[base + F_DAY_STEM] = f.dayStem;
  cachedFeatures[base + F_DAY_BRANCH] = f.dayBranch;
  cachedFeatures[base + F_MONTH_BRANCH] = f.monthBranch;
  cachedFeatures[base + F_YEAR_BRANCH] = f.yearBranch;
  cachedFeatures[base + F_HOUR_BRANCH] = f.hourBranch ?? NO_HOUR;
  cachedFeatures[base + F_MONTH_HALF] = f.monthAmbiguous ? 1 : 0;
  cachedFeatures[base + F_YEAR_HALF] = f.yearAmbiguous ? 1 : 0;
  cachedFeatures[base + F_MISSING] = f.missingMask;
  cachedFeatures[base + F_SINGLE] = f.singleMask;
  cachedFeatures[base + F_RICH] = f.richMask;
  cachedFeatures[base + F_DAY_MASTER_ELEMENT] = f.dayMasterElement;
  cachedFeatures[base + F_YONGSHIN] = f.yongshin;
  cachedKeys[slot] = key;
}

/** The cache slot of a key (exported for the collision test). */
export function cacheSlot(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - CACHE_BITS);
}

/** Same number as compatibility(chartFromKey(keyA), chartFromKey(keyB)).score. */
export function compatibilityScore(keyA: number, keyB: number): number {
  // Empty slots hold -1, so a negative key must never reach the lookup (chartFromKey rejects it).
  if (!(keyA >= 0)) chartFromKey(keyA);
  if (!(keyB >= 0)) chartFromKey(keyB);
  let slotA = cacheSlot(keyA);
  const slotB = cacheSlot(keyB);
  if (slotA === slotB && keyA !== keyB) {
    slotA = COLLISION_SLOT;
    if (cachedKeys[COLLISION_SLOT] !== keyA) store(COLLISION_SLOT, keyA);
  } else if (cachedKeys[slotA] !== keyA) {
    store(slotA, keyA);
  }
  if (cachedKeys[slotB] !== keyB) store(slotB, keyB);
  const a = slotA * STRIDE;
  const b = slotB * STRIDE;
  const f = cachedFeatures;
  const monthHalf = f[a + F_MONTH_HALF]! | f[b + F_MONTH_HALF]!;
  const yearHalf = f[a + F_YEAR_HALF]! | f[b + F_YEAR_HALF]!;
  const missingA = f[a + F_MISSING]!;
  const missingB = f[b + F_MISSING]!;
  const complement =
    COMPLEMENT[(missingA << 10) | (f[b + F_RICH]! << 5) | f[b + F_SINGLE]!]! +
    COMPLEMENT[(missingB << 10) | (f[a + F_RICH]! << 5) | f[a + F_SINGLE]!]!;
  const raw =
    BASE_SCORE +
    DAY_MASTER[f[a + F_DAY_STEM]! * 10 + f[b + F_DAY_STEM]!]! +
    DAY_BRANCH[f[a + F_DAY_BRANCH]! * 12 + f[b + F_DAY_BRANCH]!]! +
    MONTH_BRANCH[monthHalf * 144 + f[a + F_MONTH_BRANCH]! * 12 + f[b + F_MONTH_BRANCH]!]! +
    YEAR_BRANCH[yearHalf * 144 + f[a + F_YEAR_BRANCH]! * 12 + f[b + F_YEAR_BRANCH]!]! +
    HOUR_BRANCH[f[a + F_HOUR_BRANCH]! * 13 + f[b + F_HOUR_BRANCH]!]! +
    (complement < ELEMENT_COMPLEMENT.cap ? complement : ELEMENT_COMPLEMENT.cap) +
    BALANCE[missingA & missingB]! +
    YONGSHIN[(f[a + F_YONGSHIN]! * ELEMENT_COUNT + f[b + F_DAY_MASTER_ELEMENT]!) * 32 + f[b + F_RICH]!]! +
    YONGSHIN[(f[b + F_YONGSHIN]! * ELEMENT_COUNT + f[a + F_DAY_MASTER_ELEMENT]!) * 32 + f[a + F_RICH]!]!;
  return raw > MAX_SCORE ? MAX_SCORE : raw < MIN_SCORE ? MIN_SCORE : raw;
}

// The score must discriminate over a realistic population (birth dates uniform 1960-2006, no birth
// time), and rank the textbook best day-pillar pairs above the textbook worst ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartFromKey, compatibilityScore } from '../../src/saju/index.js';
import { chartFeatures } from '../../src/saju/chart-features.js';
import { monthStemFor } from '../../src/saju/chart-key.js';
import {
  BRANCH_POINTS,
  DAY_MASTER_POINTS,
  ELEMENT_COMPLEMENT,
  YONGSHIN_POINTS,
  balancePointsForMissing,
} from '../../src/saju/compatibility-rules.js';
import { branchRelations, stemRelation } from '../../src/saju/relations.js';
import { pillarIndex } from '../../src/saju/stems-branches.js';
import { percentile, realisticChartKeys } from './population.js';

const keys = realisticChartKeys(1_500, 1);

test('5th and 95th percentiles of pair scores are at least 30 points apart', () => {
  const scores: number[] = [];
  for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) scores.push(compatibilityScore(keys[i]!, keys[j]!));
  scores.sort((a, b) => a - b);
  const p5 = percentile(scores, 5);
  const p95 = percentile(scores, 95);
  assert.ok(p95 - p5 >= 30, `p5 ${p5}, p95 ${p95}`);
});

type Pair = 'good' | 'bad' | null;
/** good: day masters in 천간합 and day branches in 육합; bad: 천간충 and 충. */
function classify(dayA: number, dayB: number): Pair {
  const stems = stemRelation(dayA % 10, dayB % 10);
  const branches = branchRelations(dayA % 12, dayB % 12).map((r) => r.kind);
  if (stems === 'combination' && branches.includes('six_combination')) return 'good';
  if (stems === 'clash' && branches.includes('clash')) return 'bad';
  return null;
}

test('on every pair of the sample, 천간합+육합 day pillars score above 천간충+충 day pillars (min of one > max of other)', () => {
  const days = keys.map((k) => chartFromKey(k).pillars.day);
  let minGood = Infinity;
  let maxBad = -Infinity;
  let good = 0;
  let bad = 0;
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      const kind = classify(days[i]!, days[j]!);
      if (kind === null) continue;
      const score = compatibilityScore(keys[i]!, keys[j]!);
      if (kind === 'good') {
        good++;
        minGood = Math.min(minGood, score);
      } else {
        bad++;
        maxBad = Math.max(maxBad, score);
      }
    }
  }
  assert.ok(good > 5_000 && bad > 5_000, `good ${good}, bad ${bad}`);
  assert.ok(minGood > maxBad, `lowest good pair ${minGood}, highest bad pair ${maxBad}`);
});

test('the ordering also holds by construction for every pair of charts without birth time', () => {
  // Day-pillar points of the two classes, at their least favourable for the claim …
  const dayBranchSum = (a: number, b: number) => branchRelations(a, b).reduce((s, r) => s + BRANCH_POINTS.day[r.kind], 0);
  const pairs = (kind: 'six_combination' | 'clash') =>
    Array.from({ length: 144 }, (_, i) => [Math.floor(i / 12), i % 12] as const).filter(([a, b]) =>
      branchRelations(a, b).some((r) => r.kind === kind),
    );
  const goodDayMin = DAY_MASTER_POINTS.combination + Math.min(...pairs('six_combination').map(([a, b]) => dayBranchSum(a, b)));
  const badDayMax = DAY_MASTER_POINTS.clash + Math.max(...pairs('clash').map(([a, b]) => dayBranchSum(a, b)));
  // … against the widest swing every other rule can make. Month and year relations at full weight
  // (halving only narrows them), the element rules over every element mask a date-only chart can
  // have (all year × month × day pillar combinations, enumerated).
  const swing = (position: 'month' | 'year') => {
    const sums = Array.from({ length: 144 }, (_, i) =>
      branchRelations(Math.floor(i / 12), i % 12).reduce((s, r) => s + BRANCH_POINTS[position][r.kind], 0),
    );
    return Math.max(...sums) - Math.min(...sums);
  };
  const missingMasks = new Set<number>();
  for (let year = 0; year < 60; year++) {
    for (let monthBranch = 0; monthBranch < 12; monthBranch++) {
      const month = pillarIndex(monthStemFor(year % 10, monthBranch), monthBranch);
      for (let day = 0; day < 60; day++) {
        missingMasks.add(chartFeatures({ pillars: { year, month, day, hour: null }, ambiguous: [] }).missingMask);
      }
    }
  }
  const balances = [...missingMasks].flatMap((a) => [...missingMasks].map((b) => balancePointsForMissing(a & b)));
  const otherSwing =
    swing('month') +
    swing('year') +
    ELEMENT_COMPLEMENT.cap +
    (Math.max(...balances) - Math.min(...balances)) +
    2 * YONGSHIN_POINTS.dayMaster;
  assert.ok(goodDayMin - badDayMax > otherSwing, `day-pillar gap ${goodDayMin - badDayMax} vs other rules' swing ${otherSwing}`);
});

// Properties of the 궁합 score: symmetric, deterministic, explained row by row, and the fast path
// equal to the explainable one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SAJU_ALGORITHM_VERSION,
  type Chart,
  chartFromKey,
  chartKey,
  compatibility,
  compatibilityScore,
  computeChart,
} from '../../src/saju/index.js';
import { cacheSlot } from '../../src/saju/compatibility-score.js';
import { pillarIndex } from '../../src/saju/stems-branches.js';
import { chartArbitrary } from './arbitraries.js';
import { realisticChartKeys } from './population.js';

const RUNS = { numRuns: 1_500, seed: 20_240_601 };

test('symmetric: score(A, B) = score(B, A), for compatibility() and compatibilityScore()', () => {
  fc.assert(
    fc.property(chartArbitrary, chartArbitrary, (a, b) => {
      assert.equal(compatibility(a, b).score, compatibility(b, a).score);
      assert.equal(compatibilityScore(chartKey(a), chartKey(b)), compatibilityScore(chartKey(b), chartKey(a)));
      // The same rules fire whichever chart comes first.
      const rules = (x: Chart, y: Chart) => compatibility(x, y).breakdown.map((r) => `${r.rule}:${r.points}`).sort();
      assert.deepEqual(rules(a, b), rules(b, a));
    }),
    RUNS,
  );
});

test('the breakdown adds up exactly to an integer score in 0-100, with stable rule ids and Korean text', () => {
  fc.assert(
    fc.property(chartArbitrary, chartArbitrary, (a, b) => {
      const result = compatibility(a, b);
      assert.equal(result.version, SAJU_ALGORITHM_VERSION);
      assert.ok(Number.isInteger(result.score) && result.score >= 0 && result.score <= 100);
      assert.equal(result.breakdown.reduce((sum, row) => sum + row.points, 0), result.score);
      for (const row of result.breakdown) {
        assert.ok(Number.isInteger(row.points), row.rule);
        assert.match(row.rule, /^[a-z]+(_[a-z]+)*$/);
        assert.match(row.description, /[가-힣]/);
      }
      assert.equal(result.breakdown[0]?.rule, 'base');
      assert.match(result.summary, new RegExp(`궁합 점수는 ${result.score}점`));
      // Deterministic.
      assert.deepEqual(compatibility(a, b), result);
    }),
    RUNS,
  );
});

test('compatibilityScore(keyA, keyB) equals compatibility(chartFromKey(keyA), chartFromKey(keyB)).score', () => {
  fc.assert(
    fc.property(chartArbitrary, chartArbitrary, (a, b) => {
      const [ka, kb] = [chartKey(a), chartKey(b)];
      assert.equal(compatibilityScore(ka, kb), compatibility(chartFromKey(ka), chartFromKey(kb)).score);
      assert.equal(compatibilityScore(ka, kb), compatibility(a, b).score);
    }),
    RUNS,
  );
});

test('the fast path stays exact when two keys share a cache slot', () => {
  const keys = realisticChartKeys(3_000, 99);
  const bySlot = new Map<number, number>();
  const collisions: [number, number][] = [];
  for (const key of keys) {
    const other = bySlot.get(cacheSlot(key));
    if (other !== undefined && other !== key) collisions.push([other, key]);
    bySlot.set(cacheSlot(key), key);
  }
  assert.ok(collisions.length > 0, 'the sample should contain colliding keys');
  for (const [x, y] of collisions) {
    const expected = compatibility(chartFromKey(x), chartFromKey(y)).score;
    assert.equal(compatibilityScore(x, y), expected);
    assert.equal(compatibilityScore(y, x), expected);
    assert.equal(compatibilityScore(x, x), compatibility(chartFromKey(x), chartFromKey(x)).score);
  }
});

test('invalid keys are refused by the fast path too', () => {
  const key = chartKey(computeChart({ birthDate: '1990-01-01' }));
  assert.throws(() => compatibilityScore(key, -1), RangeError);
  assert.throws(() => compatibilityScore(1.5, key), RangeError);
});

/** A chart built from pillar names, for hand-written cases. */
function chartOf(year: string, month: string, day: string, hour: string | null = null, ambiguous: Chart['ambiguous'] = []): Chart {
  const index = (name: string) => pillarIndex('甲乙丙丁戊己庚辛壬癸'.indexOf(name[0]!), '子丑寅卯辰巳午未申酉戌亥'.indexOf(name[1]!));
  return { pillars: { year: index(year), month: index(month), day: index(day), hour: hour === null ? null : index(hour) }, ambiguous };
}

function rowsOf(a: Chart, b: Chart): Record<string, number> {
  return Object.fromEntries(compatibility(a, b).breakdown.map((r) => [r.rule, r.points]));
}

test('hand-worked example: 甲子 and 己丑 day pillars (천간합 and 육합 with 방합)', () => {
  // 1984 甲子 year, 丙寅 month; 1985 乙丑 year, 戊寅 month.
  const a = chartOf('甲子', '丙寅', '甲子');
  const b = chartOf('乙丑', '戊寅', '己丑');
  const rows = rowsOf(a, b);
  assert.equal(rows.day_master_combination, 16);
  assert.equal(rows.day_branch_six_combination, 16);
  assert.equal(rows.day_branch_directional_combination, 4);
  assert.equal(rows.year_branch_six_combination, 6);
  assert.equal(rows.year_branch_directional_combination, 2);
  assert.equal(rows.day_master_clash, undefined);
  const result = compatibility(a, b);
  assert.match(result.breakdown.find((r) => r.rule === 'day_master_combination')!.description, /甲\(갑목\)과 己\(기토\)가 천간합\(甲己合/);
});

test('hand-worked example: 甲子 and 庚午 day pillars (천간충 and 충)', () => {
  const rows = rowsOf(chartOf('甲子', '丙寅', '甲子'), chartOf('庚午', '戊寅', '庚午'));
  assert.equal(rows.day_master_clash, -16);
  assert.equal(rows.day_branch_clash, -16);
  assert.equal(rows.year_branch_clash, -6);
});

test('relations involving an ambiguous pillar count half', () => {
  // Month branches 寅 and 申 clash (-6, 형 -2); year branches 子 and 午 clash (-6).
  const a = chartOf('甲子', '丙寅', '甲子');
  const b = chartOf('庚午', '甲申', '丙寅');
  assert.deepEqual([rowsOf(a, b).month_branch_clash, rowsOf(a, b).month_branch_punishment, rowsOf(a, b).year_branch_clash], [-6, -2, -6]);
  const monthAmbiguous = chartOf('庚午', '甲申', '丙寅', null, ['month']);
  const rowsHalfMonth = rowsOf(a, monthAmbiguous);
  assert.deepEqual([rowsHalfMonth.month_branch_clash, rowsHalfMonth.month_branch_punishment, rowsHalfMonth.year_branch_clash], [-3, -1, -6]);
  const yearAmbiguous = chartOf('庚午', '甲申', '丙寅', null, ['year', 'month']);
  const rowsHalfBoth = rowsOf(yearAmbiguous, a);
  assert.deepEqual([rowsHalfBoth.month_branch_clash, rowsHalfBoth.month_branch_punishment, rowsHalfBoth.year_branch_clash], [-3, -1, -3]);
  assert.match(compatibility(a, yearAmbiguous).summary, /절반만 반영/);
});

test('hour branches count only when both birth times are known', () => {
  const withHour = chartOf('甲子', '丙寅', '甲子', '甲子');
  const partner = chartOf('乙丑', '戊寅', '己丑', '壬午'); // 子 and 午 hours clash
  assert.equal(rowsOf(withHour, partner).hour_branch_clash, -4);
  const noHour = chartOf('乙丑', '戊寅', '己丑');
  assert.equal(Object.keys(rowsOf(withHour, noHour)).some((rule) => rule.startsWith('hour_')), false);
});

test('a pair beyond 100 gets a score_clamp row that brings it back to 100', () => {
  // Search the realistic population for a pair whose rules add up past 100.
  const keys = realisticChartKeys(400, 5);
  let found = false;
  for (let i = 0; i < keys.length && !found; i++) {
    for (let j = i + 1; j < keys.length && !found; j++) {
      const result = compatibility(chartFromKey(keys[i]!), chartFromKey(keys[j]!));
      const clamp = result.breakdown.find((r) => r.rule === 'score_clamp');
      if (!clamp) continue;
      found = true;
      const unclamped = result.breakdown.reduce((s, r) => s + r.points, 0) - clamp.points;
      assert.equal(result.score, unclamped > 100 ? 100 : 0);
      assert.equal(clamp.points, result.score - unclamped);
      assert.notEqual(clamp.points, 0);
    }
  }
  assert.ok(found, 'no clamped pair in the sample');
});

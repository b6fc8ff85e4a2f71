import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chartFromKey, chartKey, computeChart } from '../../src/saju/index.js';
import { chartArbitrary } from './arbitraries.js';

test('chartFromKey(chartKey(chart)) round-trips every chart', () => {
  fc.assert(
    fc.property(chartArbitrary, (chart) => {
      const key = chartKey(chart);
      assert.ok(Number.isInteger(key) && key >= 0 && key <= 2_147_483_647, 'fits a PostgreSQL int4');
      assert.deepEqual(chartFromKey(key), chart);
    }),
    { numRuns: 3_000, seed: 7 },
  );
});

test('the key layout: (((year·60 + month)·60 + day)·61 + hour)·4 + ambiguity', () => {
  // 2000-01-01 without time: 己卯 (15) year, 丙子 (12) month, 戊午 (54) day.
  const noon = computeChart({ birthDate: '2000-01-01' });
  assert.deepEqual(noon, { pillars: { year: 15, month: 12, day: 54, hour: null }, ambiguous: [] });
  assert.equal(chartKey(noon), (((15 * 60 + 12) * 60 + 54) * 61 + 60) * 4);
  // Same date at 00:30: 壬子 (48) hour.
  assert.equal(chartKey(computeChart({ birthDate: '2000-01-01', birthTime: '00:30' })), (((15 * 60 + 12) * 60 + 54) * 61 + 48) * 4);
  // 입춘 day 2024-02-04 (16:27 KST): year and month ambiguous → bits 3.
  const ipchun = computeChart({ birthDate: '2024-02-04' });
  assert.deepEqual(ipchun.ambiguous, ['year', 'month']);
  assert.equal(chartKey(ipchun) % 4, 3);
  // Without a birth time, people born on the same day share a key.
  assert.equal(chartKey(computeChart({ birthDate: '1995-07-07' })), chartKey(computeChart({ birthDate: '1995-07-07', birthTime: null })));
});

test('numbers that no chart produces are refused', () => {
  const valid = chartKey(computeChart({ birthDate: '1990-06-15' }));
  for (const key of [-1, 1.5, Number.NaN, 60 * 60 * 60 * 61 * 4, 2 ** 31]) assert.throws(() => chartFromKey(key), RangeError, String(key));
  assert.throws(() => chartFromKey(valid + 2), RangeError, 'year ambiguous without month');
  // 1990-06-15 has a 壬午 (18) month; 12 pillars later is 甲午, the right branch with a wrong stem.
  assert.equal(chartFromKey(valid).pillars.month, 18);
  assert.throws(() => chartFromKey(valid + 12 * 4 * 61 * 60), RangeError, 'month stem inconsistent with the year stem');
  const timed = chartKey(computeChart({ birthDate: '1990-06-15', birthTime: '10:00' }));
  assert.throws(() => chartFromKey(timed + 1), RangeError, 'a known time is never ambiguous');
  // Twelve hour pillars away: the same branch with another stem.
  const shift = chartFromKey(timed).pillars.hour! < 48 ? 12 : -12;
  assert.throws(() => chartFromKey(timed + shift * 4), RangeError, 'hour stem inconsistent with the day stem');
  assert.throws(() => chartKey({ pillars: { year: 60, month: 0, day: 0, hour: null }, ambiguous: [] }), RangeError);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internationalAge } from '../../src/lib/time.js';
import { birthDateBounds, keyAgeFilter } from '../../src/recommendations/discovery.js';
import { chartKey, computeChart } from '../../src/saju/index.js';

/** Every third day from 1920 to 2010, with and without a birth time. */
function* dates(): Generator<string> {
  for (let t = Date.UTC(1920, 0, 1); t < Date.UTC(2010, 0, 1); t += 3 * 86_400_000) yield new Date(t).toISOString().slice(0, 10);
}

const RANGES: Array<[number | null, number | null]> = [
  [19, 19],
  [25, 30],
  [40, 45],
  [30, null],
  [null, 35],
  [19, 100],
  [70, 100],
];

describe('discovery rules on birth dates and chart keys', () => {
  for (const today of ['2026-12-03', '2028-02-29', '2027-03-01', '2030-01-01']) {
    it(`birthDateBounds matches internationalAge exactly (today ${today})`, () => {
      for (const [min, max] of RANGES) {
        const { after, upTo } = birthDateBounds(min, max, today);
        for (const d of dates()) {
          const age = internationalAge(d, today);
          const fits = (min === null || age >= min) && (max === null || age <= max);
          const inBounds = (after === null || d > after) && (upTo === null || d <= upTo);
          assert.equal(inBounds, fits, `${d} age ${age} in [${min}, ${max}]`);
        }
      }
    });

    it(`keyAgeFilter never rejects the chart of someone in the range, and rejects most others (today ${today})`, () => {
      for (const [min, max] of RANGES) {
        const filter = keyAgeFilter(min, max, today);
        let outside = 0;
        let rejected = 0;
        for (const d of dates()) {
          const age = internationalAge(d, today);
          const fits = (min === null || age >= min) && (max === null || age <= max);
          for (const time of [null, '23:30']) {
            const key = chartKey(computeChart({ birthDate: d, birthTime: time }));
            const passes = filter === null || filter(key);
            if (fits) assert.ok(passes, `${d} ${time} (age ${age}) must pass [${min}, ${max}]`);
            else {
              outside += 1;
              if (!passes) rejected += 1;
            }
          }
        }
        if (min !== null && max !== null && max - min <= 10) assert.ok(rejected / outside > 0.7, `[${min}, ${max}]: ${rejected}/${outside} rejected`);
      }
    });
  }

  it('no filter when the range leaves every year pillar possible', () => {
    assert.equal(keyAgeFilter(null, null, '2026-12-03'), null);
    assert.equal(keyAgeFilter(19, 100, '2026-12-03'), null);
    assert.notEqual(keyAgeFilter(19, 60, '2026-12-03'), null);
  });
});

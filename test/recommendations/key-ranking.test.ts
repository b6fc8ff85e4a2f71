import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartKey, compatibilityScore, computeChart } from '../../src/saju/index.js';
import { dailyOrder, pickDailySet } from '../../src/recommendations/daily-selection.js';
import { KeyRanking } from '../../src/recommendations/key-ranking.js';

/** 400 real chart keys: birth dates a week apart, a few with a birth time. */
const KEYS = Array.from({ length: 400 }, (_, i) => {
  const birthDate = new Date(Date.UTC(1975, 0, 1 + i * 7)).toISOString().slice(0, 10);
  return chartKey(computeChart({ birthDate, birthTime: i % 9 === 0 ? '07:30' : null }));
});
const CALLER = KEYS[123]!;
/** Ties by ascending key, then id: the order bruteRanking uses. */
const BY_KEY = { chart: (key: number) => key, person: (id: number) => id };

function bruteRanking(keys: number[]) {
  return [...new Set(keys)].map((k) => ({ k, s: compatibilityScore(CALLER, k) })).sort((a, b) => b.s - a.s || a.k - b.k);
}

describe('KeyRanking', () => {
  it('a complete ranking is every key by score (then key), and skips keys no chart has', async () => {
    const ranking = await KeyRanking.compute(CALLER, Int32Array.from([...KEYS, 0]), 7, Number.POSITIVE_INFINITY);
    const brute = bruteRanking(KEYS);
    assert.equal(ranking.complete, true);
    assert.deepEqual(Array.from(ranking.keys), brute.map((x) => x.k));
    assert.deepEqual(Array.from(ranking.scores), brute.map((x) => x.s));
    assert.equal(ranking.universeSeq, 7);
  });

  it('a partial ranking keeps whole score levels; merging later keys equals ranking them all at once', async () => {
    const partial = await KeyRanking.compute(CALLER, Int32Array.from(KEYS.slice(0, 300)), 1, 40);
    assert.equal(partial.complete, false);
    assert.ok(partial.length >= 40);
    const floor = partial.scores[partial.length - 1]!;
    const brute300 = bruteRanking(KEYS.slice(0, 300));
    assert.deepEqual(Array.from(partial.keys), brute300.filter((x) => x.s >= floor).map((x) => x.k), 'no level cut in half');

    const merged = partial.merge(Int32Array.from(KEYS.slice(250)), 2, 40); // overlapping keys are not doubled
    const direct = await KeyRanking.compute(CALLER, Int32Array.from(KEYS), 2, 40);
    assert.deepEqual(Array.from(merged.keys), Array.from(direct.keys));
    assert.equal(merged.universeSeq, 2);
    assert.equal(partial.merge(Int32Array.from([]), 3, 40).keys, partial.keys, 'nothing new: the same ranking');
  });
});

describe('pickDailySet', () => {
  it('stops as soon as it has enough, and asks for the full ranking when a partial one runs out', async () => {
    const ranking = await KeyRanking.compute(CALLER, Int32Array.from(KEYS), 1, 40);
    const asked: number[] = [];
    // One eligible person per key, id = key.
    const eligible = async (keys: Int32Array) => {
      asked.push(keys.length);
      return Array.from(keys, (k) => ({ id: k, saju_key: k }));
    };
    const picked = await pickDailySet(ranking, { size: 5, recentlyShown: new Set(), order: BY_KEY, eligible });
    assert.deepEqual(picked, bruteRanking(KEYS).slice(0, 5).map((x) => ({ candidateId: x.k, score: x.s })));
    const looked = asked.reduce((a, b) => a + b, 0);
    assert.ok(looked < 40 && looked < ranking.length, `stopped early after ${looked} keys`);

    const tooFew = await pickDailySet(ranking, { size: 500, recentlyShown: new Set(), order: BY_KEY, eligible });
    assert.equal(tooFew, null);
  });

  it('takes recently shown people only to fill up, and orders the result by score', async () => {
    const ranking = await KeyRanking.compute(CALLER, Int32Array.from(KEYS), 1, Number.POSITIVE_INFINITY);
    const brute = bruteRanking(KEYS);
    const shown = new Set(brute.slice(0, 3).map((x) => x.k));
    const eligible = async (keys: Int32Array) => Array.from(keys, (k) => ({ id: k, saju_key: k }));
    const picked = await pickDailySet(ranking, { size: 4, recentlyShown: shown, order: BY_KEY, eligible });
    assert.deepEqual(picked!.map((p) => p.candidateId), brute.slice(3, 7).map((x) => x.k));
    const all = await pickDailySet(ranking, { size: 500, recentlyShown: shown, order: BY_KEY, eligible });
    assert.equal(all!.length, new Set(KEYS).size);
    assert.deepEqual(all!.map((p) => p.score), brute.map((x) => x.s), 'everyone, best score first');
  });

  it("stops early and still returns exactly the first people in the day's order", async () => {
    const ranking = await KeyRanking.compute(CALLER, Int32Array.from(KEYS), 1, Number.POSITIVE_INFINITY);
    const order = dailyOrder(42, '2031-07-07');
    // Three people per chart: ids key·10 + 0..2.
    const people = (keys: ArrayLike<number>) => Array.from(keys).flatMap((k) => [0, 1, 2].map((j) => ({ id: k * 10 + j, saju_key: k })));
    let fetched = 0;
    const eligible = async (keys: Int32Array) => {
      fetched += keys.length;
      return people(keys);
    };
    const picked = await pickDailySet(ranking, { size: 20, recentlyShown: new Set(), order, eligible });
    const expected = people([...new Set(KEYS)])
      .map((p) => ({ ...p, s: compatibilityScore(CALLER, p.saju_key) }))
      .sort((a, b) => b.s - a.s || order.chart(a.saju_key) - order.chart(b.saju_key) || a.saju_key - b.saju_key || order.person(a.id) - order.person(b.id))
      .slice(0, 20);
    assert.deepEqual(picked, expected.map((p) => ({ candidateId: p.id, score: p.s })));
    assert.ok(fetched < KEYS.length / 4, `looked at ${fetched} charts`);
    const tomorrow = await pickDailySet(ranking, { size: 20, recentlyShown: new Set(), order: dailyOrder(42, '2031-07-08'), eligible });
    assert.notDeepEqual(tomorrow, picked, 'equal scores take turns from day to day');
  });
});

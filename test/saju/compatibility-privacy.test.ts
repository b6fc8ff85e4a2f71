import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compatibility, computeChart, type Chart } from '../../src/saju/index.js';
import { branchLabel, stemLabel } from '../../src/saju/korean-text.js';
import { branchRelations } from '../../src/saju/relations.js';
import { BRANCHES, STEMS, branchOf, stemOf } from '../../src/saju/stems-branches.js';
import { chartArbitrary } from './arbitraries.js';

const STEM_HANJA = new Set(STEMS.map((s) => s.hanja));
const BRANCH_HANJA = new Set(BRANCHES.map((b) => b.hanja));
const ELEMENT_HANJA = /[木火土金水]/;

/** Pillars of a chart whose characters anyone may read: the year (띠) and the day (일주). */
const nameable = (chart: Chart) => [chart.pillars.year, chart.pillars.day];
/** Pillars that stay private before a match. */
const secret = (chart: Chart) => [chart.pillars.month, ...(chart.pillars.hour === null ? [] : [chart.pillars.hour])];

function textOf(result: ReturnType<typeof compatibility>): string {
  return [...result.breakdown.map((r) => r.description), result.summary].join('\n');
}

/**
 * What the unmatched view may not contain, for viewer `me` and the other person `other`:
 * - any stem or branch Hanja other than the year and day pillars' (both people's): so none of the
 *   other's month/hour characters, unless that same character is also one that may be named;
 * - the Hangul label of such a character ("(자)", "(갑목)");
 * - the name of a relation between the two month or the two hour branches ("자오충"), unless a
 *   day or year relation has the same name;
 * - any element named in the element rows (what the other lacks or holds counts all 8 characters).
 */
function assertPrivate(me: Chart, other: Chart): void {
  const priv = compatibility(me, other, { view: 'private' });
  const full = compatibility(me, other);
  // The score and every row's points are the same in both views, and add up to the score.
  assert.equal(priv.score, full.score);
  assert.deepEqual(
    priv.breakdown.map((r) => [r.rule, r.points]),
    full.breakdown.map((r) => [r.rule, r.points]),
  );
  assert.equal(priv.breakdown.reduce((s, r) => s + r.points, 0), priv.score);

  const text = textOf(priv);
  const allowedHanja = new Set(
    [...nameable(me), ...nameable(other)].flatMap((p) => [stemOf(p).hanja, branchOf(p).hanja]),
  );
  for (const ch of text) {
    if (STEM_HANJA.has(ch) || BRANCH_HANJA.has(ch)) {
      assert.ok(allowedHanja.has(ch), `names ${ch}, not a year or day character:\n${text}`);
    }
  }
  for (const pillar of secret(other)) {
    const stem = stemOf(pillar);
    const branch = branchOf(pillar);
    // The Hangul halves of the labels, e.g. "(신금)" of 辛(신금) and "(신)" of 申(신): a stem and a
    // branch may share a reading (辛 and 申 are both 신), so the branch form is checked only when
    // no nameable branch reads the same.
    const hangulOf = (label: string) => label.slice(label.indexOf('('));
    if (!allowedHanja.has(stem.hanja)) assert.ok(!text.includes(hangulOf(stemLabel(stem))), `names stem ${stem.hangul}:\n${text}`);
    const sameReading = [...allowedHanja].some((h) => BRANCH_HANJA.has(h) && BRANCHES.find((b) => b.hanja === h)!.hangul === branch.hangul);
    if (!allowedHanja.has(branch.hanja) && !sameReading) {
      assert.ok(!text.includes(hangulOf(branchLabel(branch))), `names branch ${branch.hangul}:\n${text}`);
    }
  }
  const publicNames = new Set(
    [
      branchRelations(branchOf(me.pillars.day).index, branchOf(other.pillars.day).index),
      branchRelations(branchOf(me.pillars.year).index, branchOf(other.pillars.year).index),
    ]
      .flat()
      .map((r) => r.name),
  );
  const secretPairs: [number, number][] = [[me.pillars.month, other.pillars.month]];
  if (me.pillars.hour !== null && other.pillars.hour !== null) secretPairs.push([me.pillars.hour, other.pillars.hour]);
  for (const [a, b] of secretPairs) {
    for (const relation of branchRelations(branchOf(a).index, branchOf(b).index)) {
      if (!publicNames.has(relation.name)) assert.ok(!text.includes(relation.name), `names ${relation.name}:\n${text}`);
    }
  }
  for (const row of priv.breakdown) {
    if (['element_complement', 'element_balance', 'yongshin_support'].includes(row.rule)) {
      assert.ok(!ELEMENT_HANJA.test(row.description), `element named in ${row.rule}: ${row.description}`);
    }
  }
  // The other's solar-term ambiguity (a birth date near a 절기) is not told; the viewer's own is.
  assert.ok(!text.includes('절기가 바뀌는 날 태어나 출생 시각 없이는 이 기둥을'), text);
}

test('unmatched view: never the other person\'s month or hour characters or relations built from them; same score and points', () => {
  fc.assert(
    fc.property(chartArbitrary, chartArbitrary, (me, other) => assertPrivate(me, other)),
    { numRuns: 3000 },
  );
});

test('unmatched view of a month clash says where and what, without characters', () => {
  // 1990-01-15 (month 丁丑) and 1990-07-15 (month 癸未): 丑未 clash in the month branches.
  const me = computeChart({ birthDate: '1990-01-15', birthTime: '10:00' });
  const other = computeChart({ birthDate: '1990-07-15', birthTime: '22:00' });
  assert.equal(branchOf(me.pillars.month).hanja, '丑');
  assert.equal(branchOf(other.pillars.month).hanja, '未');
  const full = compatibility(me, other);
  const priv = compatibility(me, other, { view: 'private' });
  const fullRow = full.breakdown.find((r) => r.rule === 'month_branch_clash');
  const privRow = priv.breakdown.find((r) => r.rule === 'month_branch_clash');
  assert.ok(fullRow && privRow);
  assert.match(fullRow.description, /丑\(축\)과 未\(미\): 축미충/);
  assert.equal(privRow.points, fullRow.points);
  assert.equal(
    privRow.description,
    '월지(가정·사회 환경): 두 사람의 월지가 서로 충입니다. 정면으로 부딪히는 충으로 갈등과 변화가 잦기 쉽습니다.',
  );
  assertPrivate(me, other);
  assertPrivate(other, me);
});

test('the viewer is told about their own solar-term pillar, not about the other\'s', () => {
  // 2000-02-04 is 입춘 (year and month ambiguous without a birth time).
  const ambiguous = computeChart({ birthDate: '2000-02-04' });
  const plain = computeChart({ birthDate: '1990-07-15', birthTime: '22:00' });
  assert.deepEqual(ambiguous.ambiguous, ['year', 'month']);
  const aboutOther = compatibility(plain, ambiguous, { view: 'private' });
  const aboutMe = compatibility(ambiguous, plain, { view: 'private' });
  assert.ok(!textOf(aboutOther).includes('절기'), textOf(aboutOther));
  assert.match(textOf(aboutMe), /내가 절기가 바뀌는 날 태어나/);
  assert.equal(aboutOther.score, aboutMe.score);
  assert.match(textOf(compatibility(plain, ambiguous)), /절기가 바뀌는 날/);
});

// The simplified 억부 용신 and the element rules, on hand-worked charts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Chart, compatibility } from '../../src/saju/index.js';
import { dayMasterBalance } from '../../src/saju/yongshin.js';
import { chartFeatures } from '../../src/saju/chart-features.js';
import { pillarIndex } from '../../src/saju/stems-branches.js';

const ELEMENT = { wood: 0, fire: 1, earth: 2, metal: 3, water: 4 };

function chartOf(year: string, month: string, day: string): Chart {
  const index = (name: string) => pillarIndex('甲乙丙丁戊己庚辛壬癸'.indexOf(name[0]!), '子丑寅卯辰巳午未申酉戌亥'.indexOf(name[1]!));
  return { pillars: { year: index(year), month: index(month), day: index(day), hour: null }, ambiguous: [] };
}

test('억부: strong by its own element → 관성; strong by 인성 → 재성; weak to 재성 → 비겁; weak otherwise → 인성', () => {
  // 壬子 壬子 壬子: all water (the 1972 子月 has such days). Strong from 비겁: earth controls it.
  assert.deepEqual(dayMasterBalance(chartOf('壬子', '壬子', '壬子').pillars), { strong: true, yongshin: ELEMENT.earth });
  // 甲 in a sea of water: strong from 인성, so 재성 (earth) checks the water.
  assert.deepEqual(dayMasterBalance(chartOf('壬子', '壬子', '甲子').pillars), { strong: true, yongshin: ELEMENT.earth });
  // 甲 among earth (戊戌 年, 己未 月, 甲戌 日): weak, drained by 재성, so 비겁 (wood).
  assert.deepEqual(dayMasterBalance(chartOf('戊戌', '己未', '甲戌').pillars), { strong: false, yongshin: ELEMENT.wood });
  // 甲 among metal (庚申 年, 甲申 月, 甲申 日): weak under 관성, so 인성 (water).
  assert.deepEqual(dayMasterBalance(chartOf('庚申', '甲申', '甲申').pillars), { strong: false, yongshin: ELEMENT.water });
});

test('element complement, combined balance and 용신 rows on a worked pair', () => {
  const water = chartOf('壬子', '壬子', '壬子'); // water ×6, lacks wood fire earth metal; 용신 earth
  const earth = chartOf('戊戌', '己未', '甲戌'); // earth ×5, wood ×1; lacks fire metal water; 용신 wood
  assert.equal(chartFeatures(water).missingMask, 0b01111);
  assert.equal(chartFeatures(earth).missingMask, 0b11010);
  const rows = Object.fromEntries(compatibility(water, earth).breakdown.map((r) => [r.rule, r]));
  // earth supplies wood (1 → 1 point) and earth (5 → 3) to water; water supplies water (6 → 3) to
  // earth: 7, capped at 6.
  assert.equal(rows.element_complement?.points, 6);
  assert.match(rows.element_complement!.description, /내 사주에 없는 목\(木\)·토\(土\)를 상대가, 상대 사주에 없는 수\(水\)를 내가 채워 줍니다/);
  // Neither has fire or metal.
  assert.equal(rows.element_balance?.points, -4);
  assert.match(rows.element_balance!.description, /화\(火\)·금\(金\)이 없어/);
  // water's 용신 earth is 2+ in the partner (1); earth's 용신 wood is not in water (0); no day master match.
  assert.equal(rows.yongshin_support?.points, 1);
});

// Korean lunar → solar: every lunar date 1900-2049 against korean-lunar-calendar, a second library
// built on the KASI tables (its range, lunar 1000-01-01 … 2050-11-18, covers ours, so the overlap
// is the whole of 1900-2049), plus refusals and known dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { lunarToSolar } from '../../src/saju/index.js';

// korean-lunar-calendar ships ESM and CommonJS builds under one .d.ts that only fits the ESM one,
// so TypeScript (NodeNext) and Node disagree on what its default import is. Its CommonJS build
// exports the class itself; load that and type the two methods used.
interface KoreanLunarCalendar {
  setLunarDate(year: number, month: number, day: number, isLeapMonth: boolean): boolean;
  getSolarCalendar(): { year: number; month: number; day: number };
}
const KoreanLunarCalendar = createRequire(import.meta.url)('korean-lunar-calendar') as new () => KoreanLunarCalendar;

function theirs(year: number, month: number, day: number, leap: boolean): string | null {
  const calendar = new KoreanLunarCalendar();
  if (!calendar.setLunarDate(year, month, day, leap)) return null;
  const s = calendar.getSolarCalendar();
  return `${s.year}-${String(s.month).padStart(2, '0')}-${String(s.day).padStart(2, '0')}`;
}

test('every lunar date 1900-2049 (leap and not, days 1-30) agrees with korean-lunar-calendar', () => {
  const differences: string[] = [];
  const solarDays = new Set<string>();
  let valid = 0;
  let leapMonths = 0;
  for (let year = 1900; year <= 2049; year++) {
    for (let month = 1; month <= 12; month++) {
      for (const leap of [false, true]) {
        for (let day = 1; day <= 30; day++) {
          const mine = lunarToSolar(year, month, day, leap);
          const other = theirs(year, month, day, leap);
          if (mine !== other) differences.push(`${year}-${month}-${day}${leap ? ' (윤)' : ''}: ${mine} vs ${other}`);
          if (mine !== null) {
            valid++;
            solarDays.add(mine);
            if (leap && day === 1) leapMonths++;
          }
        }
      }
    }
  }
  assert.deepEqual(differences.slice(0, 20), []);
  // The valid lunar dates map one to one onto the consecutive solar days they cover.
  assert.equal(solarDays.size, valid);
  const first = lunarToSolar(1900, 1, 1, false)!;
  const last = [...solarDays].sort().at(-1)!;
  assert.equal((Date.parse(last) - Date.parse(first)) / 86_400_000 + 1, valid);
  // 7 leap months every 19 years: 150 years hold 55.
  assert.equal(leapMonths, 55);
});

test('Korean (KASI) leap months differ from the Chinese ones in 2012 and 2017', () => {
  // 2012: Korea 윤3월, China 閏四月.
  assert.equal(lunarToSolar(2012, 3, 1, true), '2012-04-21');
  assert.equal(lunarToSolar(2012, 3, 30, true), '2012-05-20');
  assert.equal(lunarToSolar(2012, 4, 1, true), null);
  assert.equal(lunarToSolar(2012, 4, 1, false), '2012-05-21');
  // 2017: Korea 윤5월, China 閏六月.
  assert.equal(lunarToSolar(2017, 5, 1, true), '2017-06-24');
  assert.equal(lunarToSolar(2017, 6, 1, true), null);
  assert.equal(lunarToSolar(2017, 6, 1, false), '2017-07-23');
});

test('known Korean holidays: 설날 (1/1) and 추석 (8/15)', () => {
  const seollal: [number, string][] = [
    [2020, '2020-01-25'], [2021, '2021-02-12'], [2022, '2022-02-01'],
    [2023, '2023-01-22'], [2024, '2024-02-10'], [2025, '2025-01-29'],
  ];
  for (const [year, solar] of seollal) assert.equal(lunarToSolar(year, 1, 1, false), solar, `설날 ${year}`);
  const chuseok: [number, string][] = [
    [2020, '2020-10-01'], [2021, '2021-09-21'], [2022, '2022-09-10'],
    [2023, '2023-09-29'], [2024, '2024-09-17'], [2025, '2025-10-06'],
  ];
  for (const [year, solar] of chuseok) assert.equal(lunarToSolar(year, 8, 15, false), solar, `추석 ${year}`);
});

test('impossible or unsupported lunar dates are refused with null', () => {
  const cases: [number, number, number, boolean, string][] = [
    [2024, 1, 30, false, '2024 1월 has 29 days'],
    [2012, 4, 1, true, '2012 has no 윤4월'],
    [2023, 3, 1, true, '2023 has 윤2월, not 윤3월'],
    [2024, 1, 1, true, '2024 has no leap month'],
    [2024, 13, 1, false, 'month 13'],
    [2024, 0, 1, false, 'month 0'],
    [2024, 1, 0, false, 'day 0'],
    [2024, 1, 31, false, 'day 31'],
    [2050, 1, 1, false, 'beyond the KASI table'],
    [1390, 1, 1, false, 'before the KASI table'],
    [2024.5, 1, 1, false, 'non-integer year'],
    [Number.NaN, 1, 1, false, 'NaN'],
  ];
  for (const [year, month, day, leap, why] of cases) assert.equal(lunarToSolar(year, month, day, leap), null, why);
  // Leap months are refused only where missing: 2023 does have 윤2월.
  assert.equal(lunarToSolar(2023, 2, 1, true), '2023-03-22');
});

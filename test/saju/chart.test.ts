// Charts with a birth time: the hour pillar and its 子時 boundaries, historical Korean clock
// offsets, and a random sample against the astronomical reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeChart } from '../../src/saju/index.js';
import { pillarNames } from '../../src/saju/stems-branches.js';
import { HOUR_MS, instantOfKoreanWallTime, referenceDayPillar, referenceJie, referenceYearMonth } from './reference-calendar.js';
import { mulberry32 } from './population.js';

function names(birthDate: string, birthTime: string): { day: string; hour: string } {
  const { pillars } = computeChart({ birthDate, birthTime });
  return { day: pillarNames(pillars.day).hanja, hour: pillarNames(pillars.hour!).hanja };
}

test('hour pillar boundaries on 2000-01-01 (a 戊午 day) under the 야자시 convention', () => {
  // 戊 and 癸 days start their hours at 壬子 (五鼠遁). 23:00-24:00 keeps the 戊午 day pillar but
  // takes 甲子, the 子時 of the next (己未) day, so hour pillars run on without repeating.
  const cases: [string, string, string][] = [
    ['00:00', '戊午', '壬子'],
    ['00:59', '戊午', '壬子'],
    ['01:00', '戊午', '癸丑'],
    ['02:59', '戊午', '癸丑'],
    ['03:00', '戊午', '甲寅'],
    ['10:59', '戊午', '丁巳'],
    ['11:00', '戊午', '戊午'],
    ['12:00', '戊午', '戊午'],
    ['12:59', '戊午', '戊午'],
    ['13:00', '戊午', '己未'],
    ['20:59', '戊午', '壬戌'],
    ['21:00', '戊午', '癸亥'],
    ['22:59', '戊午', '癸亥'],
    ['23:00', '戊午', '甲子'],
    ['23:30', '戊午', '甲子'],
    ['23:59', '戊午', '甲子'],
  ];
  for (const [time, day, hour] of cases) assert.deepEqual(names('2000-01-01', time), { day, hour }, time);
  // The next morning's 子時 is the same 甲子 pillar, now under the 己未 day.
  assert.deepEqual(names('2000-01-02', '00:00'), { day: '己未', hour: '甲子' });
  assert.deepEqual(names('2000-01-02', '00:59'), { day: '己未', hour: '甲子' });
  assert.deepEqual(names('2000-01-02', '01:00'), { day: '己未', hour: '乙丑' });
});

test('historical Korean clocks: summer time and UTC+8:30 are converted to Korean standard time', () => {
  // 1988-07-01 00:30 was summer time (UTC+10): 23:30 on 1988-06-30 in standard time.
  const june30 = referenceDayPillar(1988, 6, 30);
  const summer = computeChart({ birthDate: '1988-07-01', birthTime: '00:30' }).pillars;
  assert.equal(summer.day, june30);
  assert.equal(summer.hour, ((june30 + 1) * 12) % 60, 'the late 子時, with the next day stem');
  // 1988-06-30 23:30 on the summer clock is 22:30 standard time: 亥時.
  assert.equal(names('1988-06-30', '23:30').hour.slice(1), '亥');
  // Outside summer time nothing moves.
  assert.equal(computeChart({ birthDate: '1988-12-01', birthTime: '00:30' }).pillars.day, referenceDayPillar(1988, 12, 1));
  // 1960-01-01 10:45 on the UTC+8:30 clock is 11:15 KST: 午時, not 巳時.
  assert.equal(names('1960-01-01', '10:45').hour.slice(1), '午');
  assert.equal(names('1970-01-01', '10:45').hour.slice(1), '巳');
});

test('1,500 random birth times 1900-2100 match the reference (IANA clock history, astronomy-engine terms)', () => {
  const jie = referenceJie();
  const random = mulberry32(20240601);
  const first = Date.UTC(1900, 0, 1);
  const days = Math.round((Date.UTC(2100, 11, 31) - first) / 86_400_000) + 1;
  let checked = 0;
  for (let i = 0; i < 1_500; i++) {
    const birthDate = new Date(first + Math.floor(random() * days) * 86_400_000).toISOString().slice(0, 10);
    const minutes = Math.floor(random() * 1440);
    const birthTime = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    const instant = instantOfKoreanWallTime(`${birthDate}T${birthTime}`);
    if (instant === null) continue; // an hour that summer time skipped or repeated
    // Within 2 minutes of a term the two astronomical models may disagree (see golden.test.ts).
    if (jie.some((j) => Math.abs(j.instant - instant) < 2 * 60_000)) continue;
    const { year, month } = referenceYearMonth(jie, instant);
    // Day and hour pillars follow Korean standard time (UTC+9) of the instant.
    const kst = new Date(instant + 9 * HOUR_MS);
    const kstMinutes = kst.getUTCHours() * 60 + kst.getUTCMinutes();
    const day = referenceDayPillar(kst.getUTCFullYear(), kst.getUTCMonth() + 1, kst.getUTCDate());
    const branch = Math.floor(((kstMinutes + 60) % 1440) / 120);
    // The hour pillars form one unbroken sequence, 12 per day, each day's 子時 starting at 23:00
    // of the day before.
    const hour = ((day + (kstMinutes >= 23 * 60 ? 1 : 0)) * 12 + branch) % 60;
    const chart = computeChart({ birthDate, birthTime });
    assert.deepEqual(chart, { pillars: { year, month, day, hour }, ambiguous: [] }, `${birthDate} ${birthTime}`);
    checked++;
  }
  assert.ok(checked > 1_450, `checked ${checked}`);
});

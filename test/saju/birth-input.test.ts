import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SajuInputError, computeChart, presentChart, resolveSolarDate } from '../../src/saju/index.js';

test('resolveSolarDate validates solar dates and converts Korean lunar ones', () => {
  assert.deepEqual(resolveSolarDate({ birthDate: '1990-05-15' }), { ok: true, solarDate: '1990-05-15' });
  assert.deepEqual(resolveSolarDate({ birthDate: '2000-02-29', calendar: 'solar' }), { ok: true, solarDate: '2000-02-29' });
  assert.deepEqual(resolveSolarDate({ birthDate: '2017-05-01', calendar: 'lunar', isLeapMonth: true }), { ok: true, solarDate: '2017-06-24' });
  assert.deepEqual(resolveSolarDate({ birthDate: '2017-05-01', calendar: 'lunar', isLeapMonth: false }), { ok: true, solarDate: '2017-05-26' });
  assert.deepEqual(resolveSolarDate({ birthDate: '1899-12-01', calendar: 'lunar' }), { ok: true, solarDate: '1900-01-01' });
  const errors: [Parameters<typeof resolveSolarDate>[0], string][] = [
    [{ birthDate: '1990-02-29' }, 'birth_date is not a valid calendar date'],
    [{ birthDate: '1990-13-01' }, 'birth_date is not a valid calendar date'],
    [{ birthDate: '1990-5-15' }, 'birth_date must be a date in YYYY-MM-DD format'],
    [{ birthDate: '' }, 'birth_date must be a date in YYYY-MM-DD format'],
    [{ birthDate: '1990-05-15', isLeapMonth: true }, 'is_leap_month is only allowed with birth_calendar "lunar"'],
    [{ birthDate: '2017-06-01', calendar: 'lunar', isLeapMonth: true }, 'birth_date is not a valid Korean lunar date'],
    [{ birthDate: '2024-01-30', calendar: 'lunar' }, 'birth_date is not a valid Korean lunar date'],
    [{ birthDate: '1899-12-31' }, 'birth_date must fall between 1900-01-01 and 2100-12-31 (solar)'],
    [{ birthDate: '1990-05-15', calendar: 'chinese' as 'lunar' }, 'birth_calendar must be "solar" or "lunar"'],
  ];
  for (const [input, error] of errors) assert.deepEqual(resolveSolarDate(input), { ok: false, error }, JSON.stringify(input));
});

test('computeChart throws SajuInputError for invalid input, and a lunar birthday gives the chart of its solar date', () => {
  for (const birthTime of ['24:00', '7:30', '12:60', '12:00:00', '']) {
    assert.throws(() => computeChart({ birthDate: '1990-05-15', birthTime }), SajuInputError, birthTime);
  }
  assert.throws(() => computeChart({ birthDate: '2024-01-30', calendar: 'lunar' }), (e: unknown) => e instanceof SajuInputError && e.message === 'birth_date is not a valid Korean lunar date');
  assert.deepEqual(
    computeChart({ birthDate: '2017-05-01', calendar: 'lunar', isLeapMonth: true, birthTime: '08:15' }),
    computeChart({ birthDate: '2017-06-24', birthTime: '08:15' }),
  );
});

test('presentChart renders the contract JSON', () => {
  // 1990-05-15 14:30: 庚午 year, 辛巳 month, 庚辰 day, 癸未 hour.
  const view = presentChart(computeChart({ birthDate: '1990-05-15', birthTime: '14:30' }));
  assert.deepEqual(view, {
    pillars: {
      year: {
        stem: { hanja: '庚', hangul: '경', element: 'metal', yin_yang: 'yang' },
        branch: { hanja: '午', hangul: '오', element: 'fire', yin_yang: 'yang' },
        hanja: '庚午',
        hangul: '경오',
      },
      month: {
        stem: { hanja: '辛', hangul: '신', element: 'metal', yin_yang: 'yin' },
        branch: { hanja: '巳', hangul: '사', element: 'fire', yin_yang: 'yin' },
        hanja: '辛巳',
        hangul: '신사',
      },
      day: {
        stem: { hanja: '庚', hangul: '경', element: 'metal', yin_yang: 'yang' },
        branch: { hanja: '辰', hangul: '진', element: 'earth', yin_yang: 'yang' },
        hanja: '庚辰',
        hangul: '경진',
      },
      hour: {
        stem: { hanja: '癸', hangul: '계', element: 'water', yin_yang: 'yin' },
        branch: { hanja: '未', hangul: '미', element: 'earth', yin_yang: 'yin' },
        hanja: '癸未',
        hangul: '계미',
      },
    },
    elements: { wood: 0, fire: 2, earth: 2, metal: 3, water: 1 },
    day_master: { hanja: '庚', hangul: '경', element: 'metal', yin_yang: 'yang' },
    zodiac: { hanja: '午', hangul: '오', animal: '말', animal_en: 'horse' },
    ambiguous: [],
  });
  // Without a time: no hour, six characters counted, and the 입춘 day flagged.
  const ipchun = presentChart(computeChart({ birthDate: '1992-02-04' }));
  assert.equal(ipchun.pillars.hour, null);
  assert.equal(Object.values(ipchun.elements).reduce((a, b) => a + b, 0), 6);
  assert.deepEqual(ipchun.ambiguous, ['year', 'month']);
  assert.deepEqual(ipchun.zodiac, { hanja: '未', hangul: '미', animal: '양', animal_en: 'goat' });
});

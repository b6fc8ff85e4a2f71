// fast-check generators of real births (1900-2100, with or without a birth time) and their charts.
import fc from 'fast-check';
import { type BirthInput, computeChart } from '../../src/saju/index.js';

const FIRST_DAY = Date.UTC(1900, 0, 1);
const DAY_COUNT = Math.round((Date.UTC(2100, 11, 31) - FIRST_DAY) / 86_400_000) + 1;

export const birthArbitrary: fc.Arbitrary<BirthInput> = fc
  .record({
    day: fc.integer({ min: 0, max: DAY_COUNT - 1 }),
    minutes: fc.option(fc.integer({ min: 0, max: 1439 }), { nil: null }),
  })
  .map(({ day, minutes }) => ({
    birthDate: new Date(FIRST_DAY + day * 86_400_000).toISOString().slice(0, 10),
    birthTime:
      minutes === null ? null : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`,
  }));

/** Births biased towards jie days, where charts are ambiguous: 2-8 of each Gregorian month. */
export const jieDayBirthArbitrary: fc.Arbitrary<BirthInput> = fc
  .record({ year: fc.integer({ min: 1900, max: 2100 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 2, max: 9 }) })
  .map(({ year, month, day }) => ({ birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` }));

export const chartArbitrary = fc.oneof(birthArbitrary, jieDayBirthArbitrary).map((birth) => computeChart(birth));

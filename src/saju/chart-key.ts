// A compact integer that fully determines a chart for scoring. Many users share one (without a
// birth time a chart depends only on the birth date), so recommendations can rank keys, not people.
//
// key = (((year·60 + month)·60 + day)·61 + hour)·4 + ambiguity
//   year, month, day, hour: pillar indexes 0-59 (hour 60 = unknown birth time). The hour is stored
//   as a whole pillar, not a branch, because a 23:00 birth takes the next day's 子時 stem.
//   ambiguity: 0 none, 1 month, 3 year and month (year alone cannot happen).
// Largest key: 60·60·60·61·4 − 1 = 52,703,999, well inside a PostgreSQL int4.
import type { AmbiguousPillar, Chart } from './chart.js';

const HOUR_UNKNOWN = 60;
const HOUR_VALUES = 61;
const AMBIGUITY_VALUES = 4;
const MONTH_AMBIGUOUS = 1;
const YEAR_AMBIGUOUS = 2;
export const MAX_CHART_KEY = 60 * 60 * 60 * HOUR_VALUES * AMBIGUITY_VALUES - 1;

function isPillar(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < 60;
}

/** Encodes a chart; throws RangeError for pillars no birth can produce together. */
export function chartKey(chart: Chart): number {
  const { year, month, day, hour } = chart.pillars;
  if (!isPillar(year) || !isPillar(month) || !isPillar(day) || !(hour === null || isPillar(hour))) {
    throw new RangeError('chart pillars must be integers 0-59 (hour may be null)');
  }
  const bits =
    (chart.ambiguous.includes('month') ? MONTH_AMBIGUOUS : 0) | (chart.ambiguous.includes('year') ? YEAR_AMBIGUOUS : 0);
  if (!isConsistent(year, month, day, hour, bits)) throw new RangeError('inconsistent chart');
  return (((year * 60 + month) * 60 + day) * HOUR_VALUES + (hour ?? HOUR_UNKNOWN)) * AMBIGUITY_VALUES + bits;
}

/** 五虎遁: the 寅 month of a 甲/己 year is 丙寅, of an 乙/庚 year 戊寅, and so on. */
export function monthStemFor(yearStem: number, monthBranch: number): number {
  return (2 * (yearStem % 5) + 2 + ((monthBranch + 10) % 12)) % 10;
}

/** 五鼠遁: the 子時 of a 甲/己 day is 甲子, of an 乙/庚 day 丙子, and so on. */
export function hourStemFor(dayStem: number, hourBranch: number): number {
  return (2 * (dayStem % 5) + hourBranch) % 10;
}

/**
 * Pillars that a real birth can produce together: the month stem follows from the year stem, the
 * hour stem from the day stem, the year is ambiguous only with the month, and a known birth time
 * leaves nothing ambiguous.
 */
function isConsistent(year: number, month: number, day: number, hour: number | null, bits: number): boolean {
  return (
    bits !== YEAR_AMBIGUOUS &&
    (hour === null || bits === 0) &&
    month % 10 === monthStemFor(year % 10, month % 12) &&
    (hour === null ||
      hour % 10 === hourStemFor(day % 10, hour % 12) ||
      // the 23:00–24:00 子時 takes the next day's stem
      (hour % 12 === 0 && hour % 10 === hourStemFor((day + 1) % 10, 0)))
  );
}

/** Decodes a key; throws RangeError for a number no chart can produce. */
export function chartFromKey(key: number): Chart {
  if (!Number.isInteger(key) || key < 0 || key > MAX_CHART_KEY) throw new RangeError(`invalid chart key: ${key}`);
  const bits = key % AMBIGUITY_VALUES;
  let rest = (key - bits) / AMBIGUITY_VALUES;
  const hourValue = rest % HOUR_VALUES;
  rest = (rest - hourValue) / HOUR_VALUES;
  const day = rest % 60;
  rest = (rest - day) / 60;
  const month = rest % 60;
  const year = (rest - month) / 60;
  const hour = hourValue === HOUR_UNKNOWN ? null : hourValue;

  if (!isConsistent(year, month, day, hour, bits)) throw new RangeError(`invalid chart key: ${key}`);

  const ambiguous: AmbiguousPillar[] = [];
  if (bits & YEAR_AMBIGUOUS) ambiguous.push('year');
  if (bits & MONTH_AMBIGUOUS) ambiguous.push('month');
  return { pillars: { year, month, day, hour }, ambiguous };
}

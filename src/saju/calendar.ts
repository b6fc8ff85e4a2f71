// Calendar conversions behind a chart: Korean lunar → solar dates and the validation of what a user
// typed. The tables come from manseryeok 2.0.0 (pinned in package-lock; see docs/saju.md), whose
// lunar data for 1391–2049 is the Korea Astronomy and Space Science Institute (KASI) calendar.
import { isValidSolarDate, lunarToSolar as manseryeokLunarToSolar } from 'manseryeok';

/**
 * manseryeok's table beyond 2049 is astronomical computation in Chinese time (6tail), not KASI
 * data, so a Korean lunar date there could be a day off: we refuse those instead of guessing.
 */
export const KASI_LUNAR_MIN_YEAR = 1391;
export const KASI_LUNAR_MAX_YEAR = 2049;

/** Charts are verified against the astronomical reference over this range (test/saju/golden). */
export const MIN_SOLAR_DATE = '1900-01-01';
export const MAX_SOLAR_DATE = '2100-12-31';

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function formatDate({ year, month, day }: CivilDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Parses 'YYYY-MM-DD' into numbers without checking that the day exists (lunar days differ). */
export function parseDateParts(text: string): CivilDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** Parses 'HH:MM' (24 h) into minutes after midnight, or null. */
export function parseTime(text: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) return null;
  return hour * 60 + minute;
}

export function isValidGregorianDate(year: number, month: number, day: number): boolean {
  return isValidSolarDate(year, month, day);
}

/**
 * Converts a Korean (KASI) lunar date to the solar 'YYYY-MM-DD', or null when that lunar date
 * does not exist: a 30th day of a 29-day month, a leap month the year does not have, or a year
 * outside the KASI table (1391–2049).
 */
export function lunarToSolar(year: number, month: number, day: number, isLeapMonth: boolean): string | null {
  if (![year, month, day].every(Number.isInteger)) return null;
  if (year < KASI_LUNAR_MIN_YEAR || year > KASI_LUNAR_MAX_YEAR) return null;
  if (month < 1 || month > 12 || day < 1 || day > 30) return null;
  try {
    // manseryeok throws a RangeError for days past the month's length and for missing leap months;
    // that refusal is exactly the "does not exist" answer we need.
    return formatDate(manseryeokLunarToSolar(year, month, day, isLeapMonth));
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

// An independent reference for the year, month and day pillars, built only from astronomy-engine's
// sun longitude and day counting, so the golden test does not lean on manseryeok's own tables.
import { SearchSunLongitude } from 'astronomy-engine';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Jie {
  /** Instant (UTC ms) when the sun's apparent longitude reaches the jie's longitude. */
  instant: number;
  /** Branch (0 = 子) of the month the jie opens: 소한 opens 丑, 입춘 寅, … 대설 子. */
  branch: number;
  isIpchun: boolean;
}

/**
 * Every 節 from 1899 to 2101. Jie k (0 = 소한 at 285°, 1 = 입춘 at 315°, … 11 = 대설 at 255°)
 * falls in Gregorian month k between the 3rd and the 9th, so a 20-day search from the 1st finds it.
 */
export function referenceJie(firstYear = 1899, lastYear = 2101): Jie[] {
  const list: Jie[] = [];
  for (let year = firstYear; year <= lastYear; year++) {
    for (let k = 0; k < 12; k++) {
      const longitude = (285 + 30 * k) % 360;
      const found = SearchSunLongitude(longitude, new Date(Date.UTC(year, k, 1)), 20);
      if (!found) throw new Error(`no jie at ${longitude}° in ${year}-${k + 1}`);
      list.push({ instant: found.date.getTime(), branch: (k + 1) % 12, isIpchun: k === 1 });
    }
  }
  return list.sort((a, b) => a.instant - b.instant);
}

/** Reference pillars at an instant: the last jie before it names the month; the last 입춘 the year. */
export function referenceYearMonth(jie: readonly Jie[], instant: number): { year: number; month: number } {
  // Binary search for the last jie at or before the instant.
  let lo = 0;
  let hi = jie.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (jie[mid]!.instant <= instant) lo = mid;
    else hi = mid - 1;
  }
  const current = jie[lo]!;
  let ipchun = lo;
  while (!jie[ipchun]!.isIpchun) ipchun--;
  const sajuYear = new Date(jie[ipchun]!.instant).getUTCFullYear();
  const monthsSinceIpchun = lo - ipchun; // 0 for 寅月
  // 1984 is 甲子 (pillar 0), and its 寅 month is 丙寅 (pillar 2); months then run on one pillar at
  // a time across year boundaries (12 months per year, so 60 months = 5 years).
  const monthCount = (sajuYear - 1984) * 12 + monthsSinceIpchun;
  const month = (((2 + monthCount) % 60) + 60) % 60;
  if (month % 12 !== current.branch) throw new Error('reference month branch mismatch');
  return { year: (((sajuYear - 1984) % 60) + 60) % 60, month };
}

/** Day pillar by counting days from 2000-01-01, a 戊午 day (pillar 54). */
export function referenceDayPillar(year: number, month: number, day: number): number {
  const days = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(2000, 0, 1)) / DAY_MS);
  return (((54 + days) % 60) + 60) % 60;
}

const seoul = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const IANA_KOREAN_OFFSETS_FROM = Date.UTC(1908, 2, 31, 15, 0); // 1908-04-01 00:00 UTC+9

/**
 * Korean wall-clock time 'YYYY-MM-DDTHH:MM' of an instant: from 1908-04-01 the IANA Asia/Seoul
 * history (UTC+8:30 eras and summer time) that ICU ships with Node; before it UTC+9, because
 * manseryeok does not model the local mean time (UTC+8:27:52) IANA uses there.
 */
export function koreanWallTime(instant: number): string {
  if (instant < IANA_KOREAN_OFFSETS_FROM) return new Date(instant + 9 * HOUR_MS).toISOString().slice(0, 16);
  const p = Object.fromEntries(seoul.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function koreanCivilDate(instant: number): string {
  return koreanWallTime(instant).slice(0, 10);
}

/**
 * The instant of a Korean wall-clock time, or null for a time that summer time skipped or
 * repeated. Korean clocks have only ever been UTC+8:30, +9, +9:30 or +10.
 */
export function instantOfKoreanWallTime(wall: string): number | null {
  const asUtc = Date.parse(`${wall}:00Z`);
  const matches = [8.5, 9, 9.5, 10].map((h) => asUtc - h * HOUR_MS).filter((t) => koreanWallTime(t) === wall);
  return matches.length === 1 ? matches[0]! : null;
}

export { DAY_MS, HOUR_MS };

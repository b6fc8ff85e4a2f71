// A birth chart (사주 四柱): the year, month, day and hour pillars as indexes into the 60-pillar
// cycle, computed by manseryeok in Korean time.
import { EARTHLY_BRANCHES, HEAVENLY_STEMS, calculateFourPillars, getSolarTerm, type Pillar } from 'manseryeok';
import { type CivilDate, parseDateParts, parseTime } from './calendar.js';
import { type BirthInput, SajuInputError, resolveSolarDate } from './birth-input.js';
import { pillarIndex } from './stems-branches.js';

export type AmbiguousPillar = 'year' | 'month';

export interface ChartPillars {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** null when the birth time is unknown. */
  readonly hour: number | null;
}

export interface Chart {
  readonly pillars: ChartPillars;
  /**
   * Pillars a birth time could change: a 節 (jie) solar term falls on the birth date, so the noon
   * chart may not be the person's ('year' only on 입춘 days, and then 'month' too). Always empty
   * when the birth time is known. Order: 'year' before 'month'.
   */
  readonly ambiguous: readonly AmbiguousPillar[];
}

/**
 * A recorded birth time is Korean wall-clock time, which was not always UTC+9: UTC+8:30 in
 * 1908–1911 and 1954–1961, and summer time in 1948–1951, 1955–1960 and 1987–1988. manseryeok
 * converts the wall clock to the true instant with those historical offsets only inside its
 * "true solar time" option; longitude 135° (the KST meridian) with the equation of time off makes
 * that option a pure civil-offset conversion, with no longitude or solar-time correction. Day and
 * hour pillars then follow the UTC+9 clock of that instant (Korean standard time), while solar
 * terms compare against the instant itself.
 */
const KOREAN_CIVIL_TIME = { longitude: 135, applyEquationOfTime: false, applyHistoricalDst: true } as const;

/** The contract casts a chart without birth time at 12:00 Korean standard time (UTC+9). */
const NOON_MINUTES = 12 * 60;
const LAST_MINUTE_OF_DAY = 23 * 60 + 59;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The 12 節 (jie) that start the months: even solar-term indexes, 0 = 소한 … 2 = 입춘 … 22 = 대설. */
const JIE_INDEXES = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22];

/**
 * Whether a jie falls anywhere near the date, so that the exact (and slower) check below is needed.
 * A civil day starts between UTC+8:30 and UTC+10 (summer time), so [midnight UTC+9 − 1 day,
 * midnight UTC+9 + 2 days) safely contains it. Jie near New Year (소한 ~Jan 6, 대설 ~Dec 7) stay
 * inside their own calendar year, so the date's year is the only one to look at.
 */
function isNearJie(date: CivilDate): boolean {
  const midnightKst = Date.UTC(date.year, date.month - 1, date.day) - 9 * HOUR_MS;
  return JIE_INDEXES.some((index) => {
    const t = getSolarTerm(date.year, index).date.getTime();
    return t >= midnightKst - DAY_MS && t < midnightKst + 2 * DAY_MS;
  });
}

function indexOfPillar(p: Pillar): number {
  return pillarIndex(HEAVENLY_STEMS.indexOf(p.heavenlyStem), EARTHLY_BRANCHES.indexOf(p.earthlyBranch));
}

function pillarsAt(date: CivilDate, minutes: number, civilTime: boolean): ChartPillars & { hour: number } {
  const detail = calculateFourPillars({
    year: date.year,
    month: date.month,
    day: date.day,
    hour: Math.floor(minutes / 60),
    minute: minutes % 60,
    // 야자시 convention (docs/saju.md): the day pillar changes at midnight, and 23:00–24:00 takes
    // the 子時 pillar of the next day, so the hour pillars run on unbroken through the cycle.
    dayBoundary: 'splitJasi',
    ...(civilTime ? { trueSolarTime: KOREAN_CIVIL_TIME } : {}),
  });
  return {
    year: indexOfPillar(detail.year),
    month: indexOfPillar(detail.month),
    day: indexOfPillar(detail.day),
    hour: indexOfPillar(detail.hour),
  };
}

/** Computes the chart; throws SajuInputError for invalid input (message fit for a 400). */
export function computeChart(input: BirthInput): Chart {
  const resolved = resolveSolarDate(input);
  if (!resolved.ok) throw new SajuInputError(resolved.error);
  const date = parseDateParts(resolved.solarDate) as CivilDate;

  if (input.birthTime !== undefined && input.birthTime !== null) {
    const minutes = typeof input.birthTime === 'string' ? parseTime(input.birthTime) : null;
    if (minutes === null) throw new SajuInputError('birth_time must be a time in HH:MM format (00:00-23:59)');
    return { pillars: pillarsAt(date, minutes, true), ambiguous: [] };
  }

  const noon = pillarsAt(date, NOON_MINUTES, false);
  const ambiguous: AmbiguousPillar[] = [];
  if (isNearJie(date)) {
    // A birth time could change the year or month pillar exactly when the first and the last
    // minute of that Korean civil date fall in different solar months (solar terms are whole
    // minutes in manseryeok, so no term hides between 23:59 and midnight).
    const first = pillarsAt(date, 0, true);
    const last = pillarsAt(date, LAST_MINUTE_OF_DAY, true);
    if (first.year !== last.year) ambiguous.push('year');
    if (first.month !== last.month) ambiguous.push('month');
  }
  return { pillars: { year: noon.year, month: noon.month, day: noon.day, hour: null }, ambiguous };
}

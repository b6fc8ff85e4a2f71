import { koreanDate } from './time.js';

/** Asia/Seoul is UTC+9 all year (no daylight saving since 1988). */
const KST_OFFSET_MS = 9 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export interface KoreanDay {
  /** 'YYYY-MM-DD' in Korea. */
  date: string;
  /** The instant the Korean day began (00:00 KST). */
  start: Date;
  /** The instant the next Korean day begins. */
  end: Date;
}

export function koreanDayOf(at: Date): KoreanDay {
  const date = koreanDate(at);
  const start = new Date(Date.parse(`${date}T00:00:00Z`) - KST_OFFSET_MS);
  return { date, start, end: new Date(start.getTime() + DAY_MS) };
}

/** Whole seconds from `at` until the next Korean midnight (at least 1), for Retry-After. */
export function secondsUntilKoreanMidnight(at: Date): number {
  return Math.max(1, Math.ceil((koreanDayOf(at).end.getTime() - at.getTime()) / 1000));
}

/** The Korean date `days` days before `date` ('YYYY-MM-DD'). */
export function koreanDateMinus(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

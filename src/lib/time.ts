/** "Today" and ages are Korean: Asia/Seoul is UTC+9 all year (no daylight saving since 1988). */
const KST_OFFSET_MS = 9 * 3600 * 1000;

/** The Korean calendar date of an instant, as 'YYYY-MM-DD'. */
export function koreanDate(at: Date): string {
  return new Date(at.getTime() + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/** International age (만 나이) in whole years on the Korean date `today`. */
export function internationalAge(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  let age = ty - by;
  if (tm < bm || (tm === bm && td < bd)) age -= 1;
  return age;
}

export function isoOrNull(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

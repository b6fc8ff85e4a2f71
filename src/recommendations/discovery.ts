import type { Gender, Region } from '../db/schema.js';

import { internationalAge } from '../lib/time.js';

/** What the recommendation walk needs of the person asking: who they are and whom they want. */
export interface Seeker {
  id: number;
  gender: Gender;
  interested_in: Gender[];
  /** Solar birth date 'YYYY-MM-DD'. */
  birth_date: string;
  region: Region | null;
  /** [] = anywhere. */
  preferred_regions: Region[];
  age_min: number | null;
  age_max: number | null;
}

/**
 * The birth dates whose international age on `today` lies in [ageMin, ageMax]: `after` < birth
 * date ≤ `upTo` (either null: no bound). Age ≥ m ⟺ born on or before today's month and day m
 * years ago; age ≤ M ⟺ born after today's month and day M + 1 years ago. A 29 February that year
 * lacks becomes the 28th (nobody is born on the missing day, so the comparison is unchanged).
 */
export function birthDateBounds(ageMin: number | null, ageMax: number | null, today: string): { after: string | null; upTo: string | null } {
  const [y, md] = [Number(today.slice(0, 4)), today.slice(5)];
  const date = (year: number) => {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return `${String(year).padStart(4, '0')}-${md === '02-29' && !leap ? '02-28' : md}`;
  };
  return { after: ageMax === null ? null : date(y - ageMax - 1), upTo: ageMin === null ? null : date(y - ageMin) };
}

/** The seeker's international age on `today`. */
export function seekerAge(seeker: Seeker, today: string): number {
  return internationalAge(seeker.birth_date, today);
}

/** Key = (((year·60 + month)·60 + day)·61 + hour)·4 + ambiguity (src/saju/chart-key.ts). */
const KEYS_PER_YEAR_PILLAR = 60 * 60 * 61 * 4;
/** 1984 is a 甲子 year (year pillar 0). */
const JIAZI_YEAR = 1984;

/**
 * A cheap test on chart keys before asking the database for their people: can someone with this
 * chart have been born in the Gregorian years of the age range? A chart's year pillar repeats every
 * 60 years and a saju year (from 입춘, early February) spans two Gregorian years, so a key passes
 * when any such year pair touches the range. It never rejects a key that could fit; the database
 * then checks the exact birth dates. Null when the range leaves every key possible.
 */
export function keyAgeFilter(ageMin: number | null, ageMax: number | null, today: string): ((key: number) => boolean) | null {
  if (ageMin === null && ageMax === null) return null;
  const year = Number(today.slice(0, 4));
  const lo = ageMax === null ? -Infinity : year - ageMax - 1;
  const hi = ageMin === null ? Infinity : year - ageMin;
  if (hi - lo >= 59) return null; // the range covers every year pillar
  return (key) => {
    const pillar = Math.floor(key / KEYS_PER_YEAR_PILLAR);
    const base = JIAZI_YEAR + pillar;
    // The first saju year ≥ lo − 1 with this pillar; its people are born in it or the next year.
    const from = lo - 1;
    const first = from + ((((base - from) % 60) + 60) % 60);
    return first <= hi;
  };
}

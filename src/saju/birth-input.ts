// What a user entered at registration, and its resolution to the solar date a chart is cast for.
import {
  MAX_SOLAR_DATE,
  MIN_SOLAR_DATE,
  formatDate,
  isValidGregorianDate,
  lunarToSolar,
  parseDateParts,
} from './calendar.js';

export type BirthCalendar = 'solar' | 'lunar';

export interface BirthInput {
  /** 'YYYY-MM-DD' as the user entered it (the lunar year-month-day when calendar is 'lunar'). */
  birthDate: string;
  /** 'HH:MM', 24 h, Korean local wall-clock time; absent or null when unknown. */
  birthTime?: string | null;
  calendar?: BirthCalendar;
  isLeapMonth?: boolean;
}

export type SolarDateResolution = { ok: true; solarDate: string } | { ok: false; error: string };

/** Invalid birth data given to computeChart (the API maps it to a 400). */
export class SajuInputError extends Error {
  override readonly name = 'SajuInputError';
}

/**
 * Resolves the input to its solar date. Error messages are English sentences fit for a 400 body;
 * they name the API fields (birth_date, is_leap_month …) because that is what the client sent.
 */
export function resolveSolarDate(input: BirthInput): SolarDateResolution {
  const calendar = input.calendar ?? 'solar';
  if (calendar !== 'solar' && calendar !== 'lunar') {
    return { ok: false, error: 'birth_calendar must be "solar" or "lunar"' };
  }
  if (input.isLeapMonth !== undefined && typeof input.isLeapMonth !== 'boolean') {
    return { ok: false, error: 'is_leap_month must be a boolean' };
  }
  const parts = typeof input.birthDate === 'string' ? parseDateParts(input.birthDate) : null;
  if (!parts) return { ok: false, error: 'birth_date must be a date in YYYY-MM-DD format' };

  let solarDate: string;
  if (calendar === 'solar') {
    if (input.isLeapMonth === true) {
      return { ok: false, error: 'is_leap_month is only allowed with birth_calendar "lunar"' };
    }
    if (!isValidGregorianDate(parts.year, parts.month, parts.day)) {
      return { ok: false, error: 'birth_date is not a valid calendar date' };
    }
    solarDate = formatDate(parts);
  } else {
    const converted = lunarToSolar(parts.year, parts.month, parts.day, input.isLeapMonth === true);
    if (converted === null) return { ok: false, error: 'birth_date is not a valid Korean lunar date' };
    solarDate = converted;
  }
  // 'YYYY-MM-DD' strings compare in date order.
  if (solarDate < MIN_SOLAR_DATE || solarDate > MAX_SOLAR_DATE) {
    return { ok: false, error: `birth_date must fall between ${MIN_SOLAR_DATE} and ${MAX_SOLAR_DATE} (solar)` };
  }
  return { ok: true, solarDate };
}

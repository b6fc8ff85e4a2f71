import { chartKey, computeChart, resolveSolarDate, SAJU_ALGORITHM_VERSION, type BirthInput } from '../saju/index.js';
import { invalid, type FieldIssue } from '../lib/errors.js';
import type { Gender } from '../db/schema.js';

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  birth_date: string;
  gender: Gender;
  birth_time?: string | null | undefined;
  birth_calendar?: 'solar' | 'lunar' | null | undefined;
  is_leap_month?: boolean | null | undefined;
}

export interface ValidRegistration {
  email: string;
  password: string;
  name: string;
  gender: Gender;
  solarBirthDate: string;
  lunarBirthDate: string | null;
  birthTime: string | null;
  calendar: 'solar' | 'lunar';
  isLeapMonth: boolean;
  interestedIn: Gender[];
  sajuKey: number;
  sajuVersion: number;
}

// Syntax only (the mailbox is proven by use): a dot-atom before the @ (no leading, trailing or
// doubled dots, none of RFC 5322's specials), and a domain of at least two labels that neither
// start nor end with a hyphen, the last one starting with a letter — international letters are
// fine (사용자@예시.한국). Quoted local parts and IP-literal domains are refused.
const ATOM = String.raw`[^\s@()<>\[\]\\,;:".]+`;
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const TOP_LABEL = String.raw`\p{L}(?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])`;
const EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+${TOP_LABEL}$`, 'u');

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Why a new password is refused, or null: 8–128 characters (code points), at registration and on a change. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  return length < PASSWORD_MIN || length > PASSWORD_MAX ? `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` : null;
}

export function defaultInterests(gender: Gender): Gender[] {
  if (gender === 'male') return ['female'];
  if (gender === 'female') return ['male'];
  return ['male', 'female', 'other'];
}

/**
 * The contract's registration rules beyond the JSON schema: email syntax after normalising, name
 * after trimming, a real (solar or Korean lunar) date from 1900 on, and the Korean youth rule
 * (current Korean year − birth year ≥ MIN_AGE_YEARS).
 */
export function validateRegistration(input: RegisterInput, todayKst: string, minAgeYears: number): ValidRegistration {
  const issues: FieldIssue[] = [];
  // Lengths are counted in characters (code points), as the JSON schemas count them: an emoji is one.
  const length = (text: string) => [...text].length;
  const email = normaliseEmail(input.email);
  if (length(email) > 255 || !EMAIL.test(email)) issues.push({ field: 'email', message: 'must be a valid email address' });
  const passwordIssue = passwordProblem(input.password);
  if (passwordIssue) issues.push({ field: 'password', message: passwordIssue });
  const name = input.name.trim();
  if (length(name) < 1 || length(name) > 100) issues.push({ field: 'name', message: 'must be 1 to 100 characters' });

  const calendar = input.birth_calendar ?? 'solar';
  const isLeapMonth = input.is_leap_month ?? false;
  if (isLeapMonth && calendar !== 'lunar') {
    issues.push({ field: 'is_leap_month', message: 'is only allowed with birth_calendar "lunar"' });
  }
  const birth: BirthInput = { birthDate: input.birth_date, birthTime: input.birth_time ?? null, calendar, isLeapMonth };
  let solarBirthDate: string | undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.birth_date)) {
    issues.push({ field: 'birth_date', message: 'must be a date in YYYY-MM-DD form' });
  } else if (input.birth_date < '1900-01-01') {
    issues.push({ field: 'birth_date', message: 'must not be before 1900-01-01' });
  } else if (!(isLeapMonth && calendar !== 'lunar')) {
    const resolved = resolveSolarDate(birth);
    if (!resolved.ok) issues.push({ field: 'birth_date', message: resolved.error });
    else solarBirthDate = resolved.solarDate;
  }
  if (solarBirthDate) {
    const koreanAge = Number(todayKst.slice(0, 4)) - Number(solarBirthDate.slice(0, 4));
    if (solarBirthDate > todayKst) issues.push({ field: 'birth_date', message: 'must not be in the future' });
    else if (koreanAge < minAgeYears) {
      issues.push({ field: 'birth_date', message: `you must be at least ${minAgeYears} (Korean year count) to register` });
    }
  }
  const first = issues[0];
  if (first || !solarBirthDate) {
    throw invalid(first ? `Invalid field '${first.field}': ${first.message}` : 'Invalid birth date', issues);
  }
  const chart = computeChart({ ...birth, birthDate: input.birth_date });
  return {
    email,
    password: input.password,
    name,
    gender: input.gender,
    solarBirthDate,
    lunarBirthDate: calendar === 'lunar' ? input.birth_date : null,
    birthTime: input.birth_time ?? null,
    calendar,
    isLeapMonth,
    interestedIn: defaultInterests(input.gender),
    sajuKey: chartKey(chart),
    sajuVersion: SAJU_ALGORITHM_VERSION,
  };
}

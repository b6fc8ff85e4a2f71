import { findPasswordHash } from '../auth/accounts.repo.js';
import { verifyPassword } from '../auth/passwords.js';
import { defaultInterests } from '../auth/registration.js';
import type { Db } from '../db/database.js';
import type { Gender, Region, UserUpdate } from '../db/schema.js';
import { invalid, rateLimited, unauthorized } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import { deleteUserData, findAgeBounds, findGender, updateProfile } from './users.repo.js';

export interface ProfileChanges {
  location?: string | null;
  job?: string | null;
  bio?: string | null;
  profile_img_url?: string | null;
  /** null: back to the default for the user's gender. */
  interested_in?: Gender[] | null;
  region?: Region | null;
  /** [] or null: anywhere. */
  preferred_regions?: Region[] | null;
  age_min?: number | null;
  age_max?: number | null;
  discoverable?: boolean;
  show_activity?: boolean;
  push_previews?: boolean;
}

const AGE_RANGE = "Invalid age range: 'age_min' must not be greater than 'age_max'";

/** PostgreSQL's check_violation on the age range (a concurrent change of the other bound). */
function isAgeRangeViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23514' && e.constraint === 'users_age_range_check';
}

/** Blank text clears a field like null does; other text is stored trimmed. */
function text(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function ageRangeError() {
  return invalid(AGE_RANGE, [{ field: 'age_min', message: 'must not be greater than age_max' }]);
}

export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
  ) {}

  async updateProfile(userId: number, changes: ProfileChanges): Promise<void> {
    const update: UserUpdate = {};
    const location = text(changes.location);
    const job = text(changes.job);
    const bio = text(changes.bio);
    const url = text(changes.profile_img_url);
    if (location !== undefined) update.location = location;
    if (job !== undefined) update.job = job;
    if (bio !== undefined) update.bio = bio;
    if (url !== undefined) {
      if (url !== null && !isHttpUrl(url)) {
        throw invalid("Invalid field 'profile_img_url': must be an http(s) URL", [
          { field: 'profile_img_url', message: 'must be an http(s) URL' },
        ]);
      }
      update.profile_img_url = url;
    }
    if (changes.interested_in === null) {
      const gender = await findGender(this.db, userId);
      if (!gender) throw unauthorized('Account no longer exists');
      update.interested_in = defaultInterests(gender);
    } else if (changes.interested_in !== undefined) {
      update.interested_in = [...new Set(changes.interested_in)].sort();
    }
    if (changes.region !== undefined) update.region = changes.region;
    if (changes.preferred_regions !== undefined) update.preferred_regions = [...new Set(changes.preferred_regions ?? [])].sort();
    if (changes.discoverable !== undefined) update.discoverable = changes.discoverable;
    if (changes.show_activity !== undefined) update.show_activity = changes.show_activity;
    if (changes.push_previews !== undefined) update.push_previews = changes.push_previews;
    if (changes.age_min !== undefined || changes.age_max !== undefined) {
      // A bound sent alone is checked against the stored other one.
      const stored = changes.age_min === undefined || changes.age_max === undefined ? await findAgeBounds(this.db, userId) : undefined;
      const min = changes.age_min !== undefined ? changes.age_min : (stored?.age_min ?? null);
      const max = changes.age_max !== undefined ? changes.age_max : (stored?.age_max ?? null);
      if (min !== null && max !== null && min > max) throw ageRangeError();
      if (changes.age_min !== undefined) update.age_min = changes.age_min;
      if (changes.age_max !== undefined) update.age_max = changes.age_max;
    }
    if (Object.keys(update).length === 0) return;
    let updated: boolean;
    try {
      updated = await updateProfile(this.db, userId, update);
    } catch (error) {
      if (isAgeRangeViolation(error)) throw ageRangeError();
      throw error;
    }
    if (!updated) throw unauthorized('Account no longer exists');
  }

  /** Deletes the account and all its personal data; needs the password again. */
  async deleteAccount(userId: number, password: string): Promise<void> {
    // A stolen access token must not become an unlimited password oracle.
    const attempt = await this.limiter.hit(`delete:user:${userId}`, 10, 3600);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfterSeconds);
    const hash = await findPasswordHash(this.db, userId);
    if (!hash || !(await verifyPassword(hash, password))) throw unauthorized('Invalid password');
    await this.db.transaction().execute((trx) => deleteUserData(trx, userId));
    this.events.publish('userDeleted', { userId });
  }
}

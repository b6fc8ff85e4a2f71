import { findPasswordHash } from '../auth/accounts.repo.js';
import { verifyPassword } from '../auth/passwords.js';
import { defaultInterests } from '../auth/registration.js';
import type { Db } from '../db/database.js';
import type { Gender, UserUpdate } from '../db/schema.js';
import { invalid, rateLimited, unauthorized } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import { deleteUserData, findGender, updateProfile } from './users.repo.js';

export interface ProfileChanges {
  location?: string | null;
  job?: string | null;
  bio?: string | null;
  profile_img_url?: string | null;
  /** null: back to the default for the user's gender. */
  interested_in?: Gender[] | null;
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
    if (Object.keys(update).length === 0) return;
    if (!(await updateProfile(this.db, userId, update))) throw unauthorized('Account no longer exists');
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

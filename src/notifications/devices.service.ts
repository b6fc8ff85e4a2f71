import type { Db } from '../db/database.js';
import type { DevicePlatform } from '../db/schema.js';
import { invalid, NOT_FOUND, notFound, rateLimited } from '../lib/errors.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import { isoOrNull } from '../lib/time.js';
import { deleteOwnDevice, listDevices, registerDevice } from './devices.repo.js';
import { endpointProblem, resolvesPublic } from './endpoint-safety.js';

export const DEVICE_NOT_FOUND = NOT_FOUND.device;
/** Device registrations per user per hour (apps register on every start and token refresh). */
export const REGISTRATIONS_PER_HOUR = 60;

/** `POST /api/devices` as the route validated it. */
export interface DeviceRegistration {
  platform: DevicePlatform;
  token?: string | undefined;
  subscription?: { endpoint: string; expirationTime?: number | null | undefined; keys: { p256dh: string; auth: string } } | undefined;
}

export interface DeviceView {
  device_id: number;
  platform: DevicePlatform;
  created_at: string;
  current: boolean;
}

export interface DeviceCaller {
  userId: number;
  sessionId: number;
}

const field = (name: string, message: string) => invalid(`Invalid field '${name}': ${message}`, [{ field: name, message }]);

/** RFC 8291: the browser's P-256 public key (65 bytes, uncompressed) and a 16-byte auth secret. */
function keyProblem(p256dh: string, auth: string): ReturnType<typeof field> | null {
  const pub = Buffer.from(p256dh, 'base64url');
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(p256dh) || pub.length !== 65 || pub[0] !== 4) {
    return field('subscription.keys.p256dh', 'must be the 65-byte uncompressed P-256 key, base64url');
  }
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(auth) || Buffer.from(auth, 'base64url').length !== 16) {
    return field('subscription.keys.auth', 'must be the 16-byte auth secret, base64url');
  }
  return null;
}

/** Push devices of the caller's login sessions. */
export class DevicesService {
  constructor(
    private readonly db: Db,
    private readonly limiter: RateLimiter,
    private readonly allowInsecureEndpoints: boolean,
    private readonly resolvePublic: (endpoint: string) => Promise<boolean> = resolvesPublic,
  ) {}

  /** Registers (or re-registers) a device; `created` is false when the caller already had it. */
  async register(caller: DeviceCaller, input: DeviceRegistration): Promise<{ device_id: number; created: boolean }> {
    // Each registration may look a host name up: a token must not make that free.
    const attempt = await this.limiter.hit(`devices:user:${caller.userId}`, REGISTRATIONS_PER_HOUR, 3600);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfterSeconds, 'Too many device registrations, please try again later');
    let token: string;
    let keys: { p256dh: string; auth: string } | null = null;
    if (input.platform === 'web') {
      if (input.token !== undefined) throw field('token', "must not be sent with platform 'web' (send subscription)");
      if (!input.subscription) throw field('subscription', "is required with platform 'web'");
      const { endpoint } = input.subscription;
      const problem = endpointProblem(endpoint, this.allowInsecureEndpoints);
      if (problem) throw field('subscription.endpoint', problem);
      if (!this.allowInsecureEndpoints && !(await this.resolvePublic(endpoint))) {
        throw field('subscription.endpoint', 'must be on a public address');
      }
      const keyError = keyProblem(input.subscription.keys.p256dh, input.subscription.keys.auth);
      if (keyError) throw keyError;
      token = endpoint;
      keys = input.subscription.keys;
    } else {
      if (input.subscription !== undefined) throw field('subscription', `must not be sent with platform '${input.platform}' (send token)`);
      if (input.token === undefined || input.token.trim() === '') throw field('token', `is required with platform '${input.platform}'`);
      token = input.token.trim();
    }
    const row = await this.db.transaction().execute((trx) =>
      registerDevice(trx, {
        userId: caller.userId,
        sessionId: caller.sessionId,
        platform: input.platform,
        token,
        p256dh: keys?.p256dh ?? null,
        auth: keys?.auth ?? null,
      }),
    );
    return { device_id: row.id, created: row.created };
  }

  async list(caller: DeviceCaller): Promise<DeviceView[]> {
    const rows = await listDevices(this.db, caller.userId);
    return rows.map((d) => ({
      device_id: d.id,
      platform: d.platform,
      created_at: isoOrNull(d.created_at)!,
      current: d.session_id === caller.sessionId,
    }));
  }

  async remove(caller: DeviceCaller, deviceId: number): Promise<void> {
    if (!(await deleteOwnDevice(this.db, caller.userId, deviceId))) throw notFound(DEVICE_NOT_FOUND);
  }
}

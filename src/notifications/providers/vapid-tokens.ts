import webpush from 'web-push';
import type { VapidKeys } from '../../config.js';

/** How long a VAPID JWT lives: web-push's default, half of RFC 8292's 24-hour maximum. */
const LIFETIME_SECONDS = 12 * 3600;
/** A token this close to its expiry is renewed, so that none reaches a push service stale. */
const RENEW_BEFORE_SECONDS = 3600;

/**
 * The VAPID (RFC 8292) `Authorization` header per push-service origin (the JWT's `aud`), signed
 * once and reused for most of its lifetime instead of an ECDSA signature per push.
 */
export class VapidTokens {
  private readonly byAudience = new Map<string, { authorization: string; exp: number }>();

  constructor(
    private readonly vapid: VapidKeys,
    private readonly now: () => number = Date.now,
  ) {}

  authorization(endpoint: string): string {
    const audience = new URL(endpoint).origin;
    const nowSeconds = Math.floor(this.now() / 1000);
    const cached = this.byAudience.get(audience);
    if (cached && cached.exp - RENEW_BEFORE_SECONDS > nowSeconds) return cached.authorization;
    const exp = nowSeconds + LIFETIME_SECONDS;
    const { publicKey, privateKey, subject } = this.vapid;
    const authorization = webpush.getVapidHeaders(audience, subject, publicKey, privateKey, 'aes128gcm', exp).Authorization;
    this.byAudience.set(audience, { authorization, exp });
    return authorization;
  }
}

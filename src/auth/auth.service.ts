import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { conflict, forbidden, rateLimited, unauthorized } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import type { RateDecision, RateLimiter } from '../lib/rate-limit.js';
import { koreanDate } from '../lib/time.js';
import { ACCOUNT_SUSPENDED } from './account-status.js';
import { findCredentialsByEmail, findPasswordHash, insertUser } from './accounts.repo.js';
import * as repo from './auth.repo.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { normaliseEmail, validateRegistration, type RegisterInput } from './registration.js';
import type { AccessTokens, RefreshTokens } from './tokens.js';

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const INVALID_LOGIN = 'Invalid email or password';
const INVALID_REFRESH = 'Invalid or expired refresh token';

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly access: AccessTokens,
    private readonly refresh: RefreshTokens,
    private readonly limiter: RateLimiter,
    private readonly events: EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Per IP and per email: mass-creating accounts is slowed on both axes. */
  private async throttleRegister(ip: string, email: string): Promise<void> {
    const { perIp, perEmail, windowSeconds } = this.config.authRateLimit;
    refuseIfAny(
      await Promise.all([
        this.limiter.hit(`register:ip:${ip}`, perIp, windowSeconds),
        this.limiter.hit(`register:email:${normaliseEmail(email)}`, perEmail, windowSeconds),
      ]),
    );
  }

  /**
   * Checks a password under the login limits: every attempt counts per address; per email (from
   * every address) and per (email, address) only the failures count. The attempt is counted up
   * front — one atomic hit per counter, refused once its window's limit is reached — and handed
   * back when the password is right, or when another counter refused it (never checked). So of N
   * parallel guesses exactly the limit's worth are checked, and one person logging in on many
   * devices is never locked out by their own successes. While a counter refuses, the correct
   * password is refused too: otherwise the one answer that is not 429 would be the password.
   */
  private async checkPasswordLimited<T>(ip: string, email: string, check: () => Promise<T | null>): Promise<T | null> {
    const { perIp, perEmail, perEmailAddress, windowSeconds } = this.config.authRateLimit;
    const normalised = normaliseEmail(email);
    const failureKeys = [`login:email:${normalised}`, `login:email-ip:${normalised}|${ip}`];
    const [byIp, byEmail, byEmailAddress] = await Promise.all([
      this.limiter.hit(`login:ip:${ip}`, perIp, windowSeconds),
      this.limiter.hit(failureKeys[0]!, perEmail, windowSeconds),
      this.limiter.hit(failureKeys[1]!, perEmailAddress, windowSeconds),
    ]);
    const decisions = [byIp, byEmail, byEmailAddress];
    const refund = () => Promise.all(failureKeys.filter((_, i) => [byEmail, byEmailAddress][i]!.allowed).map((k) => this.limiter.release(k)));
    if (decisions.some((d) => !d.allowed)) {
      await refund();
      refuseIfAny(decisions);
    }
    let result: T | null;
    try {
      result = await check();
    } catch (error) {
      // Not an answer about the password (the database failed): it is no failure to count.
      await refund();
      throw error;
    }
    if (result !== null) await refund();
    return result;
  }

  async register(input: RegisterInput, client: ClientInfo) {
    await this.throttleRegister(client.ip, input.email);
    const valid = validateRegistration(input, koreanDate(this.now()), this.config.minAgeYears);
    if (await findCredentialsByEmail(this.db, valid.email)) throw conflict('Email already registered');
    const passwordHash = await hashPassword(valid.password);
    try {
      const user = await insertUser(this.db, {
        email: valid.email,
        password_hash: passwordHash,
        name: valid.name,
        birth_date: valid.solarBirthDate,
        gender: valid.gender,
        birth_time: valid.birthTime,
        birth_calendar: valid.calendar,
        is_leap_month: valid.isLeapMonth,
        lunar_birth_date: valid.lunarBirthDate,
        interested_in: valid.interestedIn,
        saju_key: valid.sajuKey,
        saju_version: valid.sajuVersion,
      });
      return { user_id: user.id, name: user.name, email: user.email };
    } catch (error) {
      // Two registrations racing for one address: the unique constraint decides.
      if (isUniqueViolation(error)) throw conflict('Email already registered');
      throw error;
    }
  }

  async login(email: string, password: string, client: ClientInfo) {
    const user = await this.checkPasswordLimited(client.ip, email, async () => {
      const found = await findCredentialsByEmail(this.db, normaliseEmail(email));
      if (!found) {
        await burnPasswordCheck(password);
        return null;
      }
      return (await verifyPassword(found.password_hash, password)) ? found : null;
    });
    if (!user) throw unauthorized(INVALID_LOGIN);
    const refreshToken = this.refresh.generate();
    const sessionId = await this.db.transaction().execute(async (trx) => {
      const account = await repo.lockAccountForLogin(trx, user.id);
      // Changed (or deleted) while the password was being checked: the old password no longer opens it.
      if (!account || account.password_hash !== user.password_hash) throw unauthorized(INVALID_LOGIN);
      // Only after the password: a suspension is not something to tell whoever knows an email address.
      if (!account.active) throw forbidden(ACCOUNT_SUSPENDED);
      const id = await repo.createSession(trx, { userId: user.id, userAgent: client.userAgent, ip: client.ip });
      await repo.insertRefreshToken(trx, {
        sessionId: id,
        tokenHash: this.refresh.hash(refreshToken),
        ttlSeconds: this.config.refreshTokenTtlSeconds,
      });
      return id;
    });
    return {
      ...this.pair(user.id, sessionId, refreshToken),
      user: { user_id: user.id, name: user.name, email: user.email },
    };
  }

  /**
   * Rotates a refresh token. The row lock makes exactly one of several parallel calls rotate;
   * the others (and retries within the grace window) get the same successor, derived from the
   * presented token. A token presented after the window is a replay: the session is revoked.
   */
  async refreshTokens(token: string): Promise<TokenPair> {
    const tokenHash = this.refresh.hash(token);
    const successor = this.refresh.successorOf(token);
    const outcome = await this.db.transaction().execute(async (trx) => {
      const row = await repo.lockRefreshToken(trx, tokenHash);
      if (!row || row.revoked_at !== null || row.expired) return { kind: 'invalid' as const };
      if (row.seconds_since_rotation === null) {
        await repo.markRotated(trx, row.id);
        await repo.insertRefreshToken(trx, {
          sessionId: row.session_id,
          tokenHash: this.refresh.hash(successor),
          ttlSeconds: this.config.refreshTokenTtlSeconds,
        });
        await repo.touchSession(trx, row.session_id);
        return { kind: 'rotated' as const, userId: row.user_id, sessionId: row.session_id };
      }
      if (row.seconds_since_rotation <= this.config.refreshReuseGraceSeconds) {
        return { kind: 'rotated' as const, userId: row.user_id, sessionId: row.session_id };
      }
      await repo.revokeSession(trx, row.session_id, 'refresh_token_reuse');
      return { kind: 'reused' as const, userId: row.user_id, sessionId: row.session_id };
    });
    if (outcome.kind === 'invalid') throw unauthorized(INVALID_REFRESH);
    if (outcome.kind === 'reused') {
      this.events.publish('sessionRevoked', { sessionId: outcome.sessionId, userId: outcome.userId });
      throw unauthorized('Refresh token reuse detected; the session has been signed out');
    }
    return this.pair(outcome.userId, outcome.sessionId, successor);
  }

  /** Revokes the login session the token belongs to (every token descended from that login). */
  async logout(token: string): Promise<void> {
    const revoked = await this.db.transaction().execute(async (trx) => {
      const row = await repo.lockRefreshToken(trx, this.refresh.hash(token));
      if (!row || row.revoked_at !== null || row.expired) return null;
      await repo.revokeSession(trx, row.session_id, 'logout');
      return row;
    });
    if (!revoked) throw unauthorized(INVALID_REFRESH);
    this.events.publish('sessionRevoked', { sessionId: revoked.session_id, userId: revoked.user_id });
  }

  /**
   * A logged-in user proves their password again (password change): limited and counted exactly
   * like a login attempt for their email, so a stolen access token is no faster password oracle
   * than the login form.
   */
  async reauthenticate(userId: number, email: string, password: string, ip: string): Promise<void> {
    const verified = await this.checkPasswordLimited(ip, email, async () => {
      const hash = await findPasswordHash(this.db, userId);
      return hash && (await verifyPassword(hash, password)) ? true : null;
    });
    if (!verified) throw unauthorized('Invalid password');
  }

  private pair(userId: number, sessionId: number, refreshToken: string): TokenPair {
    return {
      access_token: this.access.issue(userId, sessionId),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: this.access.lifetimeSeconds,
    };
  }
}

/** 429 with the longest Retry-After of the counters that refused, if any did. */
function refuseIfAny(decisions: readonly RateDecision[]): void {
  const refused = decisions.filter((d) => !d.allowed);
  if (refused.length > 0) {
    throw rateLimited(Math.max(...refused.map((d) => d.retryAfterSeconds)), 'Too many attempts, please try again later');
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

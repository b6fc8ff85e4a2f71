import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { unauthorized } from '../lib/errors.js';
import type { ActivityTracker } from './activity.js';
import type { ProfileRow, SessionUserQuery } from './accounts.repo.js';
import type { AccessTokens } from './tokens.js';

export interface Caller {
  userId: number;
  sessionId: number;
  profile: ProfileRow;
}

const BEARER = /^Bearer +(\S+) *$/i;

/** `last_used_at` is accurate to this much (README, sessions). */
export const TOUCH_INTERVAL_SECONDS = 300;
/** Sessions remembered per process before the memory of recent touches starts afresh. */
const TOUCHED_MAX = 100_000;

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/**
 * Resolves a bearer access token to a caller: a valid signature and expiry, then one query that
 * returns the profile only while the login session is live (so logout and account deletion cut
 * access at once, not at the token's expiry).
 */
export class Authenticator {
  /** When this process last moved each session's `last_used_at` (ms since the epoch). */
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly tokens: AccessTokens,
    private readonly sessionUser: SessionUserQuery,
    /** Moves a session's `last_used_at` to now (if older than the interval); see `noteUse`. */
    private readonly touchSession: ((sessionId: number, staleSeconds: number) => Promise<void>) | null = null,
    /** Notes that the caller used the API (active_recently); at most a rare background write. */
    private readonly activity: ActivityTracker | null = null,
  ) {}

  async fromToken(token: string | undefined): Promise<Caller | null> {
    if (!token) return null;
    const claims = this.tokens.verify(token);
    if (!claims) return null;
    const profile = await this.sessionUser.find(claims.sessionId, claims.userId);
    if (!profile) return null;
    this.activity?.touch(claims.userId);
    const touching = this.noteUse(claims.sessionId);
    if (touching !== null) await touching;
    return { userId: claims.userId, sessionId: claims.sessionId, profile };
  }

  /**
   * API use moves the session's `last_used_at` (shown in the sessions list), throttled: at most
   * one UPDATE per session every TOUCH_INTERVAL_SECONDS per process, so the hot path stays one
   * read. The UPDATE itself only writes when the stored time is that old (other processes).
   */
  private noteUse(sessionId: number): Promise<void> | null {
    if (!this.touchSession) return null;
    const now = Date.now();
    const last = this.touched.get(sessionId);
    // The usual case: nothing to wait for, and no promise made.
    if (last !== undefined && now - last < TOUCH_INTERVAL_SECONDS * 1000) return null;
    if (this.touched.size >= TOUCHED_MAX) this.touched.clear();
    this.touched.set(sessionId, now);
    return this.touchSession(sessionId, TOUCH_INTERVAL_SECONDS);
  }

  /** Whether the login session is still live (not logged out, revoked, or its user deleted). */
  async sessionLive(sessionId: number, userId: number): Promise<boolean> {
    return (await this.sessionUser.find(sessionId, userId)) !== null;
  }

  /** The access token's claims without the database check (for socket expiry timers). */
  claims(token: string) {
    return this.tokens.verify(token);
  }

  /**
   * Fastify onRequest hook for every protected route. A callback hook: no promise of its own per
   * request and none for Fastify to chain on (only fromToken's).
   */
  readonly hook = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    // The scheme name is case-insensitive (RFC 7235): "bearer x" is as good as "Bearer x".
    const match = BEARER.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    this.fromToken(token).then((caller) => {
      if (!caller) {
        done(unauthorized(token ? 'Invalid or expired access token' : 'Missing bearer token'));
        return;
      }
      request.caller = caller;
      done();
    }, done);
  };
}

/** The caller of a route that ran the auth hook. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized();
  return request.caller;
}

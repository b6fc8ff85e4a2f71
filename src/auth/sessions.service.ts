import type { Db } from '../db/database.js';
import { invalid, notFound, unauthorized, NOT_FOUND } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import { isoOrNull } from '../lib/time.js';
import type { AuthService } from './auth.service.js';
import { hashPassword } from './passwords.js';
import { passwordProblem } from './registration.js';
import { listLiveSessions, revokeOwnSession, revokeUserSessions, setPasswordHash } from './sessions.repo.js';

export const SESSION_NOT_FOUND = NOT_FOUND.session;

export interface SessionView {
  session_id: number;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  current: boolean;
}

/** Who is calling: the user, their email (the login limiter's key) and the session of the token. */
export interface SessionCaller {
  userId: number;
  email: string;
  sessionId: number;
  ip: string;
}

/**
 * Account security: the caller's login sessions (list, revoke one, revoke all) and the password
 * change, which ends every other session. Revocation is immediate everywhere: access tokens are
 * checked against the live session on every request, and the sockets of the revoked sessions are
 * disconnected on every process (through the event relay).
 */
export class SessionsService {
  constructor(
    private readonly db: Db,
    private readonly auth: AuthService,
    private readonly events: EventBus,
  ) {}

  async list(caller: SessionCaller): Promise<SessionView[]> {
    const rows = await listLiveSessions(this.db, caller.userId);
    return rows.map((s) => ({
      session_id: s.id,
      created_at: isoOrNull(s.created_at)!,
      last_used_at: isoOrNull(s.last_used_at)!,
      user_agent: s.user_agent,
      current: s.id === caller.sessionId,
    }));
  }

  /** Revokes one of the caller's live sessions (the current one too, like logout). */
  async revoke(caller: SessionCaller, sessionId: number): Promise<void> {
    if (!(await revokeOwnSession(this.db, caller.userId, sessionId, 'revoked'))) throw notFound(SESSION_NOT_FOUND);
    this.events.publish('sessionRevoked', { sessionId, userId: caller.userId });
  }

  /** Ends every session of the caller, the current one included. */
  async logoutAll(caller: SessionCaller): Promise<void> {
    await revokeUserSessions(this.db, caller.userId, 'logout_all');
    this.events.publish('userSessionsRevoked', { userId: caller.userId, exceptSessionId: null });
  }

  /**
   * Changes the password after checking the current one (limited and counted like a login), and
   * ends every other session in the same transaction: whoever else held a token is out at once.
   */
  async changePassword(caller: SessionCaller, currentPassword: string, newPassword: string): Promise<void> {
    const problem = passwordProblem(newPassword);
    if (problem) throw invalid(`Invalid field 'new_password': ${problem}`, [{ field: 'new_password', message: problem }]);
    await this.auth.reauthenticate(caller.userId, caller.email, currentPassword, caller.ip);
    const passwordHash = await hashPassword(newPassword);
    const changed = await this.db.transaction().execute(async (trx) => {
      if (!(await setPasswordHash(trx, caller.userId, passwordHash))) return false;
      await revokeUserSessions(trx, caller.userId, 'password_changed', caller.sessionId);
      return true;
    });
    if (!changed) throw unauthorized('Account no longer exists');
    this.events.publish('userSessionsRevoked', { userId: caller.userId, exceptSessionId: caller.sessionId });
  }
}

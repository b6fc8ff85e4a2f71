import type { FastifyBaseLogger } from 'fastify';
import type { Authenticator } from '../auth/auth.guard.js';
import type { IoSocket } from './socket-events.js';

/** The longest delay setTimeout accepts (≈ 24.8 days); longer tokens are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

function tokenOf(socket: IoSocket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string') return auth.token;
  // Clients that cannot set `auth` (some native libraries) may send the usual header instead.
  const header = socket.handshake.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * Handshake authentication: the same check as REST (signature, expiry, live session). A refusal
 * reaches the client as `connect_error` with the message "Unauthorized".
 */
export function handshakeAuth(authenticator: Authenticator, log: FastifyBaseLogger) {
  return async (socket: IoSocket, next: (err?: Error) => void): Promise<void> => {
    const token = tokenOf(socket);
    try {
      const caller = await authenticator.fromToken(token);
      const claims = token ? authenticator.claims(token) : null;
      if (!caller || !claims) return next(new Error('Unauthorized'));
      socket.data.userId = caller.userId;
      socket.data.sessionId = caller.sessionId;
      socket.data.expiresAt = claims.expiresAt;
      next();
    } catch (err) {
      log.error({ err }, 'socket handshake failed');
      next(new Error('Service unavailable'));
    }
  };
}

/** Disconnects the socket when its access token expires; the client refreshes and reconnects. */
export function disconnectAtExpiry(socket: IoSocket, log: FastifyBaseLogger): void {
  let timer: NodeJS.Timeout;
  // A timer callback that threw would be an uncaught exception: guarded, logged.
  const guarded = (work: () => void) => () => {
    try {
      work();
    } catch (err) {
      log.error({ err, userId: socket.data.userId, socketId: socket.id }, 'socket expiry failed');
    }
  };
  const arm = () => {
    const left = socket.data.expiresAt - Date.now();
    timer =
      left > MAX_TIMER_MS
        ? setTimeout(guarded(arm), MAX_TIMER_MS)
        : setTimeout(guarded(() => socket.disconnect(true)), Math.max(0, left));
  };
  arm();
  socket.once('disconnect', () => clearTimeout(timer));
}

/**
 * "A service we depend on cannot answer right now" as opposed to "this request hit a bug": a
 * PostgreSQL server that is down, restarting, out of connections or past the statement timeout.
 * Such errors are answered 503 with Retry-After (the client should retry) instead of 500.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SQLSTATE: class 08 connection exceptions; 57P01–57P03 shutdown / not accepting connections;
 * 57014 canceled (the statement timeout); 53300 too many connections. */
const PG_STATES = /^(08...|57P0[123]|57014|53300)$/;

/** What node-postgres says when a connection ends or cannot be had in time (no code set). */
const PG_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /is not queryable/];

export const SERVICE_UNAVAILABLE = 'Service temporarily unavailable, please retry';

/** Seconds a client should wait before retrying (Retry-After). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export function isUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 3) return false;
  const e = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_STATES.test(e.code))) return true;
  if (typeof e.message === 'string' && PG_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  // Node's connection attempts to several addresses fail with an AggregateError of them.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailable(inner, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

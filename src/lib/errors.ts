/**
 * The one catalogue of domain errors. Services throw these; `http-errors.ts` maps them to
 * status codes for REST and the socket layer turns them into `{ ok: false, error }` acks.
 */
export interface FieldIssue {
  field: string;
  message: string;
}

export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: FieldIssue[],
    /** Seconds a client should wait, for rate_limited. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, details?: FieldIssue[]) => new DomainError('validation', message, details);
export const unauthorized = (message = 'Unauthorized') => new DomainError('unauthorized', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not_found', message);

/** What a client is told about each kind of thing it may not have or see. */
export const NOT_FOUND = {
  user: 'User not found',
  chat: 'Chat not found',
  match: 'Match not found',
  message: 'Message not found in this chat',
  session: 'Session not found',
  report: 'Report not found',
  device: 'Device not found',
} as const;
export const conflict = (message: string) => new DomainError('conflict', message);
export const rateLimited = (retryAfterSeconds: number, message = 'Too many requests, please try again later') =>
  new DomainError('rate_limited', message, undefined, retryAfterSeconds);

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

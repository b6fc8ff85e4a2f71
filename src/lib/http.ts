import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NOT_FOUND, notFound as notFoundError, STATUS_BY_KIND, type FieldIssue } from './errors.js';
import { ID_MAX } from './schemas.js';
import { strictIntegers } from './strict-integers.js';
import { isUnavailable, SERVICE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER_SECONDS } from './unavailable.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echo a sane incoming X-Request-Id, otherwise make one. */
export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Bodies are validated strictly: no type coercion (the id "12" is not the number 12) and no
 * silent removal of unknown fields (they are a 400). Path and query strings are coerced, since
 * they are always strings on the wire.
 */
export function installValidators(app: FastifyInstance): void {
  const common = { allErrors: false, strict: false, useDefaults: true, removeAdditional: false } as const;
  const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const stringAjv = addFormats(new Ajv({ ...common, coerceTypes: true }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    refusingNul(httpPart === 'body' ? bodyAjv.compile(schema) : (strictIntegers(schema, stringAjv.compile(schema)) as ValidateFunction)),
  );
}

/**
 * The JSON path of the first string (value or key) that PostgreSQL text cannot hold as sent, or
 * null: U+0000 fails as a query error (a 500), and an unpaired UTF-16 surrogate would be stored
 * silently altered (as U+FFFD), so a stored message would no longer equal the one sent. Every
 * body, query, path value and socket payload refuses both up front.
 */
export function nulPath(value: unknown): string | null {
  if (typeof value === 'string') return unstorable(value) ? '' : null;
  if (value === null || typeof value !== 'object') return null;
  // Iterative (explicit stack): no recursion over attacker-shaped data. Each entry remembers its
  // parent, so the path is built only for the one string found, and the walk stays linear.
  interface Entry {
    value: object;
    key: string;
    parent: Entry | null;
  }
  const pathOf = (entry: Entry | null, key?: string): string => {
    const keys: string[] = key === undefined ? [] : [key];
    for (let e = entry; e !== null && e.parent !== null; e = e.parent) keys.push(e.key);
    return keys.reverse().map((k) => `/${k}`).join('');
  };
  const stack: Entry[] = [{ value, key: '', parent: null }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const keys = Object.keys(entry.value);
    for (const key of keys) {
      if (unstorable(key)) return pathOf(entry);
      const item = (entry.value as Record<string, unknown>)[key];
      if (typeof item === 'string') {
        if (unstorable(item)) return pathOf(entry, key);
      } else if (item !== null && typeof item === 'object') {
        stack.push({ value: item, key, parent: entry });
      }
    }
  }
  return null;
}

const LONE_SURROGATE = /\p{Cs}/u;
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

export const NUL_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** An Ajv validator that first refuses NUL characters (reported like any schema error). */
export function refusingNul<T>(validate: ValidateFunction<T>) {
  const check = (data: unknown): boolean => {
    const at = nulPath(data);
    if (at !== null) {
      check.errors = [{ instancePath: at, schemaPath: '#', keyword: 'nul', params: {}, message: NUL_MESSAGE }];
      return false;
    }
    const ok = validate(data);
    check.errors = validate.errors ?? null;
    return ok;
  };
  check.errors = null as ErrorObject[] | null;
  return check;
}

function field(error: ErrorObject, part: string | undefined): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${extra}` : extra;
  }
  return path || part || 'body';
}

function message(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an allowed field';
    case 'anyOf':
      return 'has an invalid type or value';
    default:
      return error.message ?? 'is invalid';
  }
}

export function validationIssues(errors: ErrorObject[], part: string | undefined): FieldIssue[] {
  return errors.map((e) => ({ field: field(e, part), message: message(e) }));
}

const PART_NAME: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

const NOT_FOUND_BY_ID_FIELD: Record<string, string> = {
  user_id: NOT_FOUND.user,
  receiver_id: NOT_FOUND.user,
  chat_id: NOT_FOUND.chat,
  match_id: NOT_FOUND.match,
  message_id: NOT_FOUND.message,
};

/**
 * A positive integer id beyond the largest id that can exist names nothing: it is "not found",
 * like any unknown id (the contract keeps `400` for ids that are not positive integers). Returns
 * the not-found message when the first validation error is exactly that, else null.
 */
export function outOfRangeIdMessage(errors: readonly ErrorObject[]): string | null {
  const first = errors[0];
  if (!first || first.keyword !== 'maximum' || (first.params as { limit?: unknown }).limit !== ID_MAX) return null;
  return NOT_FOUND_BY_ID_FIELD[first.instancePath.split('/').at(-1) ?? ''] ?? null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    if (err instanceof DomainError) return sendDomainError(reply, err);
    if (err.validation) {
      const part = PART_NAME[err.validationContext ?? 'body'];
      const notFound = part === 'path' || part === 'body' ? outOfRangeIdMessage(err.validation as ErrorObject[]) : null;
      if (notFound) return sendDomainError(reply, notFoundError(notFound));
      const details = validationIssues(err.validation as ErrorObject[], part);
      const first = details[0];
      const text = first ? `Invalid ${part} field '${first.field}': ${first.message}` : 'Invalid request';
      return reply.code(400).send({ error: text, details });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: clientErrorMessage(err) });
    }
    if (isUnavailable(err)) {
      request.log.warn({ err }, 'dependency unavailable');
      return reply.code(503).header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)).send({ error: SERVICE_UNAVAILABLE });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `Route ${request.method} ${request.url.split('?')[0]} not found` }),
  );
}

/**
 * Errors Fastify raises before routing — an undecodable URL (`/api/users/%zz`), a path parameter
 * over 100 characters — answered like any other invalid path value, not with Fastify's own body
 * (which names internal error codes). The onRequest hooks have not run: set the request id here.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  const error = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'Invalid path: a path parameter is too long' : 'Invalid path: not a valid URL';
  void reply.code(400).send({ error });
}

/**
 * Requests Node's HTTP parser refuses (broken framing, bad Content-Length, oversized headers) never
 * reach Fastify's routing: answer them in the same `{ error }` format, then close the connection.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, error] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request headers too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request timeout']
        : [400, 'Malformed HTTP request'];
  const body = JSON.stringify({ error });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export function sendDomainError(reply: FastifyReply, err: DomainError): FastifyReply {
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  const body = err.details ? { error: err.message, details: err.details } : { error: err.message };
  return reply.code(STATUS_BY_KIND[err.kind]).send(body);
}

/** Fastify's own 4xx errors, reworded so no internal code name reaches a client. */
function clientErrorMessage(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body too large (limit 64 KiB)';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'Malformed JSON body';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Empty JSON body';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type: send application/json';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'Content-Length does not match the body';
    default:
      return err.statusCode === 400 ? 'Bad request' : 'Request refused';
  }
}

export function clientIp(request: FastifyRequest): string {
  return request.ip;
}

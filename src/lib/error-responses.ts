import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, notFound as notFoundError, STATUS_BY_KIND } from './errors.js';
import { isUnavailable, SERVICE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER_SECONDS } from './unavailable.js';
import { outOfRangeIdMessage, validationIssues } from './validation.js';

/** How every error becomes a response: domain errors, validation failures, framework and parser errors. */

const PART_NAME: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

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

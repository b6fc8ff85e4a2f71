import { randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, STATUS_BY_KIND, type FieldIssue } from './errors.js';

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
    httpPart === 'body' ? bodyAjv.compile(schema) : stringAjv.compile(schema),
  );
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

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    if (err instanceof DomainError) return sendDomainError(reply, err);
    if (err.validation) {
      const part = PART_NAME[err.validationContext ?? 'body'];
      const details = validationIssues(err.validation as ErrorObject[], part);
      const first = details[0];
      const text = first ? `Invalid ${part} field '${first.field}': ${first.message}` : 'Invalid request';
      return reply.code(400).send({ error: text, details });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: clientErrorMessage(err) });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `Route ${request.method} ${request.url.split('?')[0]} not found` }),
  );
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

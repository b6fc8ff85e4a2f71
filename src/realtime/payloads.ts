import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema, Static } from 'typebox';
import { DomainError } from '../lib/errors.js';
import { NUL_MESSAGE, nulPath, outOfRangeIdMessage, validationIssues } from '../lib/validation.js';
import { TOO_DEEP_MESSAGE, tooDeep } from '../lib/json-depth.js';
import { isUnavailable, SERVICE_UNAVAILABLE } from '../lib/unavailable.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Socket payloads are validated exactly like REST bodies: no coercion ("12" is not 12), no
 * unknown fields, defaults applied. */
const ajv = addFormats(new Ajv({ allErrors: false, strict: false, useDefaults: true, removeAdditional: false, coerceTypes: false }));

export const TOO_DEEP_PAYLOAD = `Invalid payload: ${TOO_DEEP_MESSAGE}`;

export type Parse<T> = (payload: unknown) => { ok: true; value: T } | { ok: false; error: string };

export function payloadParser<S extends TSchema>(schema: S): Parse<Static<S>> {
  const validate = ajv.compile(schema) as ValidateFunction<Static<S>>;
  return (payload) => {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return { ok: false, error: 'Invalid payload: expected an object' };
    }
    if (tooDeep(payload)) return { ok: false, error: TOO_DEEP_PAYLOAD };
    const nulAt = nulPath(payload);
    if (nulAt !== null) {
      const field = nulAt.replace(/^\//, '').replaceAll('/', '.') || 'payload';
      return { ok: false, error: `Invalid payload field '${field}': ${NUL_MESSAGE}` };
    }
    if (validate(payload)) return { ok: true, value: payload };
    const notFound = outOfRangeIdMessage(validate.errors ?? []);
    if (notFound) return { ok: false, error: notFound };
    const first = validationIssues(validate.errors ?? [], 'payload')[0];
    return { ok: false, error: first ? `Invalid payload field '${first.field}': ${first.message}` : 'Invalid payload' };
  };
}

export interface ErrorAck {
  ok: false;
  error: string;
}

/**
 * The socket counterpart of the REST error mapper: domain errors keep their message; anything
 * else is logged by the caller and answered generically (never a stack or SQL text).
 */
export function errorAck(error: unknown): { ack: ErrorAck; unexpected: boolean } {
  if (error instanceof DomainError) return { ack: { ok: false, error: error.message }, unexpected: false };
  if (isUnavailable(error)) return { ack: { ok: false, error: SERVICE_UNAVAILABLE }, unexpected: true };
  return { ack: { ok: false, error: 'Internal server error' }, unexpected: true };
}

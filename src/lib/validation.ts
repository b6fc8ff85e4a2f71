import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { NOT_FOUND, type FieldIssue } from './errors.js';
import { ID_MAX } from './schemas.js';
import { strictIntegers } from './strict-integers.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

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
  // A flat object (no object or array inside: the usual payload) in one pass without allocating;
  // the same answer as the walk below, which checks the top level first in the same key order.
  if (!Array.isArray(value)) {
    let flat = true;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (unstorable(key)) return '';
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'string') {
        if (unstorable(item)) return `/${key}`;
      } else if (item !== null && typeof item === 'object') {
        flat = false;
        break;
      }
    }
    if (flat) return null;
  }
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

const NOT_FOUND_BY_ID_FIELD: Record<string, string> = {
  user_id: NOT_FOUND.user,
  receiver_id: NOT_FOUND.user,
  chat_id: NOT_FOUND.chat,
  match_id: NOT_FOUND.match,
  message_id: NOT_FOUND.message,
  session_id: NOT_FOUND.session,
  report_id: NOT_FOUND.report,
  device_id: NOT_FOUND.device,
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

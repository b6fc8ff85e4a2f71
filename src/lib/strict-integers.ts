/**
 * Path and query strings are coerced to their schema types, and a coercing validator reads
 * "0x5", "1e1", "+5", "05" or " 5" as integers. An id must be written as one, so an integer field
 * accepts only a canonical decimal literal.
 */
const CANONICAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

interface ObjectSchema {
  properties?: Record<string, { type?: unknown }>;
}

const isIntegerSchema = (s: { type?: unknown } | undefined) =>
  s?.type === 'integer' || (Array.isArray(s?.type) && s.type.includes('integer'));

/** The first integer field of `data` (raw strings) not written as a canonical literal, or null. */
export function nonCanonicalInteger(schema: unknown, data: unknown): string | null {
  const properties = (schema as ObjectSchema | undefined)?.properties;
  if (!properties || data === null || typeof data !== 'object') return null;
  for (const [name, property] of Object.entries(properties)) {
    const value = (data as Record<string, unknown>)[name];
    if (typeof value === 'string' && isIntegerSchema(property) && !CANONICAL_INTEGER.test(value)) return name;
  }
  return null;
}

interface Validator {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}

/** Wraps a coercing validator so that non-canonical integer strings fail like a type error. */
export function strictIntegers<V extends Validator>(schema: unknown, validate: V): Validator {
  const check: Validator = (data: unknown) => {
    const field = nonCanonicalInteger(schema, data);
    if (field !== null) {
      check.errors = [{ instancePath: `/${field}`, schemaPath: '#', keyword: 'type', params: { type: 'integer' }, message: 'must be an integer' }];
      return false;
    }
    const ok = validate(data);
    check.errors = validate.errors ?? null;
    return ok;
  };
  check.errors = null;
  return check;
}

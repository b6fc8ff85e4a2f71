import fc from 'fast-check';
import type { Schema } from './openapi.js';

/** Hostile values for fuzzing: injection strings, odd unicode, bad ids and wrong JSON types. */

export const INJECTION_STRINGS = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  "1; DELETE FROM messages WHERE 1=1",
  "admin'--",
  "1' UNION SELECT email, password_hash FROM users --",
  "'); INSERT INTO blocks VALUES (1, 2); --",
  '$1',
  '%s%s%s%n',
  '{"$gt":""}',
  '{"$ne":null}',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd%00.png',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'true',
  '\\',
  '\\u0000',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: x=1',
  'file:///etc/passwd',
];

export const UNICODE_STRINGS = [
  '사주 궁합 테스트',
  '甲子 乙丑',
  '👩‍❤️‍👨🔥',
  '\u202Egnp.exe',
  'e\u0301\u0301\u0301',
  '\uFEFFbom',
  '\u200B\u200B',
  '\uD800',
  'x\uDFFFy',
  '\uFFFF\uFFFE',
  'Ω≈ç√∫',
  '   ',
  '\t\n\r',
  '',
];

export const BAD_ID_VALUES: unknown[] = [0, -1, 2 ** 31, 2 ** 53, -(2 ** 31), 1.5, 1e308, '12', '1', 'abc', '', null, true, false, [], [1], {}, { $gt: '' }, { $ne: null }];

/**
 * A positive integer beyond the largest id (2^31 − 1): a valid id that names nothing, so the
 * server answers 404 for it in a path or an id field of a body (not 400).
 */
export function outOfRangeId(value: unknown): boolean {
  if (typeof value === 'string') return /^[1-9][0-9]*$/.test(value) && Number(value) > 2147483647;
  return typeof value === 'number' && Number.isInteger(value) && value > 2147483647;
}

/** Path segment values (decoded) that are not valid ids (400), or out of range (404). */
export const BAD_PATH_IDS = [
  '0',
  '-1',
  '2147483648',
  '99999999999999999999999',
  '1.5',
  'abc',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'true',
  '1,2',
  '[1]',
  "1' OR 1=1 --",
  "1; DROP TABLE users; --",
  '{"$gt":""}',
  '../../etc/passwd',
  '..',
  '<script>alert(1)</script>',
  '\u0000',
  '1\u0000',
  '사주',
  '1'.repeat(120),
  '%',
];

const longString = (n: number, unit = 'x') => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTION_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(256, 2001, 2049, 5001, 20_000, 60_000).map((n) => longString(n)) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 9000).map((n) => longString(n, '가')) },
);

/** Any JSON value, weighted towards the troublesome ones. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_ID_VALUES) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(deepNest(200), { toString: 'x', valueOf: 1 }, { length: 1e9 }) },
);

export function deepNest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

export const EXTRA_KEYS = ['$gt', '$where', 'constructor', 'is_admin', 'role', 'user_id', 'id', 'email', 'password_hash', '', ' ', 'a.b', '사용자', "' OR 1=1 --"];

function schemaTypes(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/**
 * A value valid for the schema, with hostile strings where strings are free. Callers filter with
 * the document's own validator, so a value this produces that happens to be invalid only costs a
 * retry.
 */
export function validValue(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValue));
  const types = schemaTypes(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => validValue({ ...schema, type })));
  switch (types[0]) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 64, 2048);
      if (schema.pattern) {
        const re = new RegExp(schema.pattern);
        return fc.oneof(fc.stringMatching(re), fc.constantFrom('1995-03-15', '1990-02-29', '2023-13-40', '1899-12-31', '12:30', '24:00'));
      }
      const fitting = [...INJECTION_STRINGS, ...UNICODE_STRINGS].filter((s) => s.length >= min && s.length <= max);
      const arbitraries = [fc.string({ minLength: min, maxLength: Math.min(max, 40) }), fc.constant(longString(max))];
      if (min <= 1 && max >= 1) arbitraries.push(fc.constantFrom('a', 'spam', 'male', 'user@example.com', 'https://example.com/a.png'));
      if (fitting.length > 0) arbitraries.push(fc.constantFrom(...fitting));
      return fc.oneof(...arbitraries);
    }
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -(2 ** 31), max: schema.maximum ?? 2 ** 31 - 1 }),
        fc.constantFrom(...[schema.minimum, schema.maximum].filter((v): v is number => v !== undefined)),
      );
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = schema.items ? validValue(schema.items) : fc.jsonValue();
      const constraints = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) };
      return schema.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
    }
    case 'object':
    default:
      return validObject(schema);
  }
}

/** An object with every required property and any subset of the optional ones. */
export function validObject(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(properties);
  if (entries.length === 0) return fc.constant({});
  return fc.record(
    Object.fromEntries(entries.map(([name, s]) => [name, validValue(s)])),
    { requiredKeys: entries.map(([name]) => name).filter((name) => required.has(name)) },
  ) as fc.Arbitrary<Record<string, unknown>>;
}

/** A value that the property's validator refuses. */
export function invalidValue(valid: (value: unknown) => boolean): fc.Arbitrary<unknown> {
  return hostileJson.filter((value) => !valid(value));
}

import fc from 'fast-check';
import { stringsOf } from './checks.js';
import { fillPath, type Operation } from './openapi.js';
import type { RawRequest } from './raw-http.js';
import { BAD_PATH_IDS, EXTRA_KEYS, hostileJson, hostileString, INJECTION_STRINGS, invalidValue, outOfRangeId, validObject, validValue } from './values.js';

/**
 * Generated HTTP requests, each with the statuses the OpenAPI document and the contract allow for
 * it. Refused requests are built to break exactly the rules that the server checks before any
 * handler runs, in Fastify's order: route → bearer token (401) → content type (415) → body size
 * (413) → JSON syntax (400) → path, query and body schemas (400).
 */

export interface Planned {
  label: string;
  op: Operation | null;
  req: RawRequest;
  /** Every string the client sent (an echo of these is not a leak). */
  sent: string[];
  allowed: number[] | 'any';
}

export interface Targets {
  token: string;
  badTokens: string[];
  /** Ids of real rows (the caller's and other people's), for path values. */
  ids: number[];
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON'];
const UNSUPPORTED_TYPES = [
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'text/xml',
  'application/xml',
  'application/json-patch+json',
  'application/octet-stream',
  'image/png',
  'text/html',
  '*/*',
  '',
];
const MALFORMED_JSON = [
  '{',
  '}',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  'NaN',
  'undefined',
  '[1,2',
  '"unterminated',
  '{"a":1}{"b":2}',
  '{"a":1} x',
  '--',
  '/*c*/{}',
  '\u0000',
  '\uFEFF{"a":1',
  '{"__proto__":{"isAdmin":true}}',
  '{"a":{"__proto__":{"x":1}}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  `{"x":"${'\\'.repeat(3)}"}`,
];
const BAD_AUTH_SCHEMES = ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token abc', 'Bearer null', 'Bearer  ', 'Digest x'];
const UNKNOWN_PATHS = [
  '/api',
  '/api/',
  '/api/users',
  '/api/users/me/',
  '/API/users/me',
  '/api/users/me/saju/x',
  '/api/chats/1/messages/1',
  '/api/../etc/passwd',
  '/api/%2e%2e/%2e%2e/etc/passwd',
  '/.env',
  '/admin',
  '/api/users/1/block/extra',
  '//api/users/me',
  '/api/matches/1/accept/',
  '/api/users/1/report/../block',
  '/socket.io.js',
  '/api/chats/',
  '/api/matches/request/1',
];
const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

const latin1Safe = (s: string) => /^[\x20-\x7e]*$/.test(s);

function attachToString(p: Planned): Planned {
  const preview = (p.req.body === undefined ? '' : String(p.req.body)).slice(0, 300);
  Object.defineProperty(p, fc.toStringMethod, {
    value: () => `${p.label}: ${p.req.method} ${p.req.path.slice(0, 300)} ${JSON.stringify(p.req.headers).slice(0, 300)} ${preview}`,
    enumerable: false,
  });
  return p;
}

export function describe(p: Planned): string {
  const preview = p.req.body === undefined ? '' : ` body=${JSON.stringify(String(p.req.body).slice(0, 200))}`;
  return `[${p.label}] ${p.req.method} ${p.req.path.slice(0, 200)} auth=${(p.req.headers.authorization ?? 'none').slice(0, 40)} ct=${p.req.headers['content-type'] ?? 'none'}${preview}`;
}

interface Parts {
  op: Operation;
  method?: string;
  pathValues: Record<string, string>;
  /** Encoded as sent when true; else encodeURIComponent. */
  rawPath?: boolean;
  query: Array<[string, string]>;
  auth: string | null;
  contentType?: string | null;
  body?: string | undefined;
  label: string;
  allowed: number[] | 'any';
  extraHeaders?: Record<string, string>;
}

function build(parts: Parts): Planned {
  const encoded = Object.fromEntries(
    Object.entries(parts.pathValues).map(([k, v]) => [k, parts.rawPath ? v : encodeURIComponent(v)]),
  );
  let path = fillPath(parts.op.path, encoded);
  if (parts.query.length > 0) path += '?' + parts.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const headers: Record<string, string> = { ...parts.extraHeaders };
  if (parts.auth !== null) headers.authorization = parts.auth;
  if (parts.contentType !== undefined && parts.contentType !== null) headers['content-type'] = parts.contentType;
  const sent = [
    path,
    decodeSafe(path),
    ...Object.values(parts.pathValues),
    ...parts.query.flat(),
    ...(parts.body === undefined ? [] : [parts.body, ...jsonStrings(parts.body)]),
    ...Object.values(headers),
  ];
  return attachToString({
    label: `${parts.op.key} ${parts.label}`,
    op: parts.op,
    req: { method: parts.method ?? parts.op.method, path, headers, body: parts.body },
    sent,
    allowed: parts.allowed,
  });
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function jsonStrings(text: string): string[] {
  try {
    return stringsOf(JSON.parse(text));
  } catch {
    return [];
  }
}

const bearer = (token: string) => `Bearer ${token}`;

/** The caller's own and other people's ids, or any valid id. */
function validPathValues(op: Operation, targets: Targets): fc.Arbitrary<Record<string, string>> {
  const id = fc.oneof(fc.constantFrom(...targets.ids), fc.integer({ min: 1, max: 2 ** 31 - 1 })).map(String);
  return fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, id]))) as fc.Arbitrary<Record<string, string>>;
}

function validQuery(op: Operation): fc.Arbitrary<Array<[string, string]>> {
  if (op.queryParams.length === 0) return fc.constant([]);
  return fc
    .tuple(
      ...op.queryParams.map((p) =>
        fc.option(validValue(p.schema).map((v): [string, string] => [p.name, String(v)]), { nil: undefined, freq: 2 }),
      ),
    )
    .map((pairs) => pairs.filter((x): x is [string, string] => x !== undefined))
    .filter((pairs) => op.queryValid(toQueryObject(pairs)));
}

export function toQueryObject(pairs: Array<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const existing = out[k];
    out[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  return out;
}

function validBody(op: Operation): fc.Arbitrary<Record<string, unknown>> {
  if (!op.body) return fc.constant({});
  return validObject(op.body.schema).filter((b) => op.bodyValid(roundTrip(b)));
}

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

/** A body the document's schema refuses: a wrong type, a missing or unknown field, or not an object. */
function invalidBody(op: Operation): fc.Arbitrary<string> {
  const schema = op.body!.schema;
  const properties = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const base = validBody(op);
  const mutations: fc.Arbitrary<unknown>[] = [
    fc.constantFrom(null, [], 1, 'str', true, [{}], 0, ''),
    fc.tuple(base, fc.constantFrom(...EXTRA_KEYS), hostileJson).map(([b, k, v]) => ({ ...b, [k]: v })),
  ];
  if (required.length > 0) {
    mutations.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([b, k]) => {
        const copy = { ...b };
        delete copy[k];
        return copy;
      }),
    );
  }
  if (properties.length > 0) {
    mutations.push(
      fc
        .constantFrom(...properties)
        .chain((name) => fc.tuple(base, fc.constant(name), invalidValue(op.propertyValid(name))))
        .map(([b, k, v]) => ({ ...b, [k]: v })),
    );
  }
  return fc
    .oneof(...mutations)
    .map((body) => JSON.stringify(body))
    .filter((text) => text !== undefined && !op.bodyValid(JSON.parse(text)));
}

function pathFault(op: Operation): fc.Arbitrary<{ values: Record<string, string>; raw: boolean }> {
  const first = op.pathParams[0]!;
  const decoded = fc
    .oneof(fc.constantFrom(...BAD_PATH_IDS), hostileString.filter((s) => s.length > 0 && s.length < 3000 && encodable(s)))
    .map((v) => ({ values: { [first.name]: v }, raw: false }));
  const undecodable = fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%u0031').map((v) => ({ values: { [first.name]: v }, raw: true }));
  return fc
    .oneof({ weight: 6, arbitrary: decoded }, { weight: 1, arbitrary: undecodable })
    .filter(({ values, raw }) => raw || !op.pathValid(values));
}

function queryFault(op: Operation): fc.Arbitrary<Array<[string, string]>> {
  const param = fc.constantFrom(...op.queryParams);
  const badValue = fc.oneof(
    fc.constantFrom('0', '-1', '51', '101', '1.5', 'abc', '', ' ', 'NaN', 'null', '1e400', '2147483648', '[]', '{}', 'received,sent', 'MATCHED'),
    hostileString.filter((s) => s.length < 3000 && encodable(s)),
  );
  const replaced = fc.tuple(validQuery(op), param, badValue, fc.boolean()).map(([pairs, p, v, twice]): Array<[string, string]> => {
    const rest = pairs.filter(([k]) => k !== p.name);
    return twice ? [...rest, [p.name, '1'], [p.name, v]] : [...rest, [p.name, v]];
  });
  const required = op.queryParams.filter((p) => p.required);
  // The document says the parameter is required: leaving it out must be refused.
  const dropped = required.length === 0 ? [] : [fc.tuple(validQuery(op), fc.constantFrom(...required)).map(([pairs, p]) => pairs.filter(([k]) => k !== p.name))];
  return fc.oneof(replaced, ...dropped).filter((pairs) => !op.queryValid(toQueryObject(pairs)));
}

function hasOutOfRangeId(body: string | undefined): boolean {
  try {
    const parsed: unknown = body === undefined ? undefined : JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && Object.entries(parsed).some(([k, v]) => k.endsWith('_id') && outOfRangeId(v));
  } catch {
    return false;
  }
}

export function encodable(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

const hasBody = (op: Operation) => op.method !== 'GET' && op.method !== 'HEAD';

type Fault = 'auth' | 'path' | 'query' | 'body' | 'json' | 'content-type' | 'too-large' | 'method' | 'route';

function faultsOf(op: Operation): Fault[] {
  const faults: Fault[] = ['method', 'route'];
  if (op.secured) faults.push('auth', 'auth');
  if (op.pathParams.length > 0) faults.push('path', 'path');
  if (op.queryParams.length > 0) faults.push('query', 'query');
  if (op.body) faults.push('body', 'body', 'body');
  if (hasBody(op)) faults.push('json', 'content-type', 'too-large');
  return faults;
}

/** A request that must be refused, with the exact status the contract gives it. */
export function refusedRequest(ops: Operation[], targets: Targets, documented: Map<string, Set<string>>): fc.Arbitrary<Planned> {
  const auth = (op: Operation) => (op.secured ? bearer(targets.token) : null);
  const bodyFor = (op: Operation) => (op.body ? validBody(op).map((b) => JSON.stringify(b)) : fc.constant(undefined));
  return fc.constantFrom(...ops).chain((op) =>
    fc.constantFrom(...faultsOf(op)).chain((fault): fc.Arbitrary<Planned> => {
      const common = fc.tuple(validPathValues(op, targets), validQuery(op), bodyFor(op));
      switch (fault) {
        case 'auth': {
          const badAuth = fc.oneof(
            fc.constantFrom(...BAD_AUTH_SCHEMES).map((h) => (h === '' ? null : h)),
            fc.constantFrom(...targets.badTokens).map(bearer),
            fc.constantFrom(...INJECTION_STRINGS, `${targets.token}x`, targets.token.slice(0, -1)).filter(latin1Safe).map(bearer),
          );
          const anyBody = hasBody(op)
            ? fc.oneof(bodyFor(op), fc.constantFrom(...MALFORMED_JSON), invalidBodyOrNone(op))
            : fc.constant(undefined);
          return fc.tuple(common, badAuth, anyBody).map(([[pathValues, query], header, body]) =>
            build({ op, pathValues, query, auth: header, contentType: body === undefined ? undefined : 'application/json', body, label: 'bad token', allowed: [401] }),
          );
        }
        case 'path':
          return fc.tuple(common, pathFault(op)).map(([[pathValues, query, body], bad]) =>
            build({
              op,
              pathValues: { ...pathValues, ...(bad.raw ? mapValues(pathValues, encodeURIComponent) : {}), ...bad.values },
              rawPath: bad.raw,
              query,
              auth: auth(op),
              contentType: body === undefined ? undefined : 'application/json',
              body,
              label: 'bad path id',
              // (Path parameters over 100 characters are refused before routing: 400.)
              allowed: Object.values(bad.values).some((v) => outOfRangeId(v) && v.length <= 100) && !bad.raw ? [404] : [400],
            }),
          );
        case 'query':
          return fc.tuple(common, queryFault(op)).map(([[pathValues, , body], query]) =>
            build({ op, pathValues, query, auth: auth(op), contentType: body === undefined ? undefined : 'application/json', body, label: 'bad query', allowed: [400] }),
          );
        case 'body':
          return fc.tuple(common, invalidBody(op), fc.constantFrom(...JSON_TYPES)).map(([[pathValues, query], body, contentType]) =>
            build({
              op,
              pathValues,
              query,
              auth: auth(op),
              contentType,
              body,
              label: 'invalid body',
              // An out-of-range id is a 404 when it is the first fault the validator meets.
              allowed: hasOutOfRangeId(body) ? [400, 404] : [400],
            }),
          );
        case 'json':
          return fc
            // (An empty or blank body with a JSON content type is no body, not malformed JSON.)
            .tuple(common, fc.oneof(fc.constantFrom(...MALFORMED_JSON), fc.string({ maxLength: 30 }).filter((s) => s.trim() !== '' && notJson(s))), fc.constantFrom(...JSON_TYPES))
            .map(([[pathValues, query], body, contentType]) =>
              build({ op, pathValues, query, auth: auth(op), contentType, body, label: 'malformed JSON', allowed: [400] }),
            );
        case 'content-type':
          return fc
            .tuple(common, fc.oneof(fc.constantFrom(...UNSUPPORTED_TYPES), fc.constant(null), ...(op.body ? [fc.constantFrom('text/plain', 'text/plain; charset=utf-8')] : [])))
            .map(([[pathValues, query, body], contentType]) =>
              build({
                op,
                pathValues,
                query,
                auth: auth(op),
                contentType,
                body: body ?? '{}',
                label: `content-type ${contentType}`,
                // Only JSON is parsed: text/plain too is an unsupported media type.
                allowed: [415],
              }),
            );
        case 'too-large':
          return fc
            .tuple(common, fc.constantFrom(64 * 1024 + 1, 100 * 1024), fc.constantFrom('application/json', 'text/plain'))
            .map(([[pathValues, query], size, contentType]) =>
              build({
                op,
                pathValues,
                query,
                auth: auth(op),
                contentType,
                body: JSON.stringify({ x: 'a'.repeat(size) }),
                label: `body of ${size} bytes`,
                // The media type is checked before the body is read.
                allowed: contentType === 'text/plain' ? [415] : [413],
              }),
            );
        case 'method': {
          const taken = documented.get(op.path) ?? new Set();
          const methods = ALL_METHODS.filter((m) => !taken.has(m));
          if (methods.length === 0) return fc.constant(build({ op, pathValues: {}, query: [], auth: null, label: 'noop', allowed: 'any' }));
          return fc.tuple(common, fc.constantFrom(...methods)).map(([[pathValues, query], method]) => {
            const planned = build({ op, method, pathValues, query, auth: bearer(targets.token), label: `method ${method}`, allowed: [404] });
            // `GET /api/users/register` is `GET /api/users/{user_id}` with a bad id: another route.
            const path = planned.req.path.split('?')[0]!;
            const other = [...documented].some(([template, ms]) => ms.has(method) && templateRegex(template).test(path));
            return other ? { ...planned, allowed: 'any' as const, label: `${planned.label} (another route)` } : planned;
          });
        }
        case 'route':
        default:
          return fc.tuple(fc.constantFrom(...UNKNOWN_PATHS), fc.constantFrom(...ALL_METHODS), fc.boolean()).map(([path, method, withAuth]) =>
            attachToString({
              label: `unknown route ${method} ${path}`,
              op: null,
              req: { method, path, headers: withAuth ? { authorization: bearer(targets.token) } : {} },
              sent: [path, decodeSafe(path)],
              allowed: [404],
            }),
          );
      }
    }),
  );
}

export function templateRegex(template: string): RegExp {
  return new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+') + '$');
}

function invalidBodyOrNone(op: Operation): fc.Arbitrary<string | undefined> {
  return op.body ? invalidBody(op) : fc.constant(undefined);
}

function mapValues(values: Record<string, string>, fn: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, fn(v)]));
}

function notJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

const SESSION_ENDING = new Set([
  'POST /api/auth/logout',
  'POST /api/auth/refresh',
  'POST /api/auth/logout-all',
  'DELETE /api/auth/sessions/{session_id}',
  'PUT /api/users/me/password',
]);

/**
 * A request that gets past validation (or nearly): valid shapes full of injection strings and odd
 * unicode, real ids of the caller's and other people's rows, stray query parameters and bodies
 * where none belong. Any non-5xx outcome is allowed; the answers are still checked.
 */
export function probeRequest(ops: Operation[], targets: Targets): fc.Arbitrary<Planned> {
  // Routes that end sessions would sign the fuzzing caller out (or need a secret it cannot guess):
  // they get refused requests only.
  const probeable = ops.filter((op) => !SESSION_ENDING.has(op.key));
  return fc.constantFrom(...probeable).chain((op) => {
    const body: fc.Arbitrary<string | undefined> = op.body
      ? fc.oneof(
          { weight: 8, arbitrary: validBody(op).map((b) => JSON.stringify(b)) },
          { weight: 1, arbitrary: fc.constant(undefined) },
        )
      : hasBody(op)
        ? fc.option(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), { nil: undefined })
        : fc.option(fc.constantFrom('{"a":1}', 'garbage'), { nil: undefined, freq: 4 });
    const strayQuery = fc.array(
      fc.tuple(fc.constantFrom('foo', 'limit', '__proto__', 'constructor', "' OR 1=1 --", 'q[]'), hostileString.filter((s) => s.length < 500 && encodable(s))),
      { maxLength: 2 },
    );
    const extraHeaders = fc.record(
      {
        'x-request-id': fc.constantFrom('abc', "' OR 1=1 --", 'x'.repeat(200), 'ok-id.1:2'),
        accept: fc.constantFrom('text/html', '*/*', 'application/xml', 'application/json'),
        'x-forwarded-for': fc.constantFrom('1.2.3.4', "' OR 1=1 --", '::1, 10.0.0.1'),
      },
      { requiredKeys: [] },
    );
    return fc
      .tuple(validPathValues(op, targets), validQuery(op), strayQuery, body, fc.boolean(), extraHeaders, fc.nat(9))
      .map(([pathValues, query, stray, text, jsonType, headers, dice]) =>
        build({
          op,
          pathValues,
          query: [...query, ...stray],
          auth: op.secured && dice > 0 ? bearer(targets.token) : null,
          contentType: text === undefined ? undefined : jsonType ? 'application/json' : 'application/json; charset=utf-8',
          body: text,
          label: 'probe',
          allowed: 'any',
          extraHeaders: headers,
        }),
      );
  });
}

import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * The OpenAPI document of the running app, read as the fuzzers' oracle: which operations exist,
 * which need a bearer token, and which path, query and body values are valid. Validity is decided
 * by the document's own schemas with the same rules the contract states for the wire: bodies are
 * strict JSON (no coercion, so "12" is not an id), path and query values are strings coerced to
 * the documented type.
 */

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
  format?: string;
  default?: unknown;
};

export interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  /** `POST /api/users/{user_id}/block` */
  key: string;
  method: string;
  /** The OpenAPI path template. */
  path: string;
  secured: boolean;
  pathParams: Param[];
  queryParams: Param[];
  body: { schema: Schema; required: boolean } | null;
  /** Path values (decoded strings) valid for the document. */
  pathValid(values: Record<string, string>): boolean;
  /** Query (decoded; a repeated key is an array) valid for the document. */
  queryValid(values: Record<string, string | string[]>): boolean;
  /** A parsed JSON body valid for the document. */
  bodyValid(value: unknown): boolean;
  /** A validator for one body property (for building invalid values). */
  propertyValid(name: string): (value: unknown) => boolean;
}

// No defaults: a parameter the document calls required must be sent, whatever default the server
// would fill in (a client generated from the document will always send it).
const options = { allErrors: false, strict: false, useDefaults: false, removeAdditional: false } as const;
const strictAjv = addFormats(new Ajv({ ...options, coerceTypes: false }));
const stringAjv = addFormats(new Ajv({ ...options, coerceTypes: true }));

/** Validators mutate (defaults, coercion): always validate a copy. */
function checker(ajv: Ajv, schema: Schema): (value: unknown) => boolean {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => validate(value === undefined ? undefined : structuredClone(value));
}

function paramsSchema(params: Param[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
}

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDoc> {
  const res = await fetch(`${baseUrl}/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /openapi.json: ${res.status}`);
  return (await res.json()) as OpenApiDoc;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const op = raw as {
        parameters?: Array<{ name: string; in: string; required?: boolean; schema: Schema }>;
        requestBody?: { required?: boolean; content?: Record<string, { schema: Schema }> };
        security?: unknown[];
      };
      const params = (op.parameters ?? []).map(
        (p): Param => ({ name: p.name, in: p.in as 'path' | 'query', required: p.in === 'path' || p.required === true, schema: p.schema }),
      );
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const pathCheck = checker(stringAjv, paramsSchema(pathParams));
      const queryCheck = checker(stringAjv, paramsSchema(queryParams));
      const bodyCheck = bodySchema ? checker(strictAjv, bodySchema) : () => true;
      const propertyChecks = new Map<string, (value: unknown) => boolean>();
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        // An empty requirement among the alternatives makes authentication optional (GET /metrics
        // without METRICS_TOKEN outside production): no 401 is owed for a bad token there.
        secured: Array.isArray(op.security) && op.security.length > 0 && !op.security.some((s) => typeof s === 'object' && s !== null && Object.keys(s).length === 0),
        pathParams,
        queryParams,
        body: bodySchema ? { schema: bodySchema, required: op.requestBody?.required === true } : null,
        pathValid: pathCheck,
        queryValid: queryCheck,
        bodyValid: bodyCheck,
        propertyValid(name) {
          let check = propertyChecks.get(name);
          if (!check) {
            const schema = bodySchema?.properties?.[name];
            if (!schema) throw new Error(`${path}: no body property ${name}`);
            check = checker(strictAjv, schema);
            propertyChecks.set(name, check);
          }
          return check;
        },
      });
    }
  }
  return out;
}

/** Fills a path template with already encoded segments. */
export function fillPath(template: string, encoded: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = encoded[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return value;
  });
}

/** An integer schema shaped like an id (the contract's Id: 1 … 2^31 − 1). */
export function isIdSchema(schema: Schema | undefined): boolean {
  return schema?.type === 'integer' && schema.minimum === 1 && schema.maximum === 2147483647;
}

/**
 * Every place an operation takes an id: path parameters, id-shaped query parameters and body
 * properties (`chat_id`, `before`, `receiver_id`, `message_id` …), as `in:name`.
 */
export function idInputsOf(op: Operation): string[] {
  const ids = [
    ...op.pathParams.map((p) => `path:${p.name}`),
    ...op.queryParams.filter((p) => isIdSchema(p.schema)).map((p) => `query:${p.name}`),
    ...Object.entries(op.body?.schema.properties ?? {})
      .filter(([, s]) => isIdSchema(s))
      .map(([name]) => `body:${name}`),
  ];
  return ids.sort();
}

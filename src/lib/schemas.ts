import { Type, type Static, type TSchema } from 'typebox';

/** Shared pieces of route schemas. Every route's schema is the single source of its validation,
 * serialisation and OpenAPI description. */

export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    details: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    ),
  },
  { $id: 'Error', description: 'Every error response' },
);

/** Ids are PostgreSQL integers (int4): nothing is stored under a larger one. */
export const ID_MAX = 2147483647;
export const Id = Type.Integer({
  minimum: 1,
  maximum: ID_MAX,
  description: 'A positive integer id. In a path or a request body a larger one names nothing: 404, not 400',
});
/**
 * `T | null`. A scalar schema becomes `type: [T, "null"]` (JSON Schema 2020-12, as OpenAPI 3.1
 * wants) rather than `anyOf`: the response serialiser writes a type list directly, while an
 * `anyOf` makes it run a validator per field per response — measurable on hot routes.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const scalar = schema as unknown as { type?: unknown };
  if (typeof scalar.type === 'string' && scalar.type !== 'object' && scalar.type !== 'array') {
    return Type.Unsafe<Static<T> | null>({ ...schema, type: [scalar.type, 'null'] });
  }
  return Type.Union([schema, Type.Null()]);
}
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC, with Z' });
export const GenderSchema = Type.Union([Type.Literal('male'), Type.Literal('female'), Type.Literal('other')]);

/** Path parameter holding an id; a non-integer or non-positive value is a 400. */
export const IdParam = (name: string) => Type.Object({ [name]: Id }, { additionalProperties: false });

const ref = Type.Ref('Error');
/** Standard error responses for the OpenAPI document and the serialiser. Every route that takes
 * them reads the database, so each also documents `503` (database unreachable or too slow; retry
 * after `Retry-After`). */
export function errors(...codes: number[]): Record<number, TSchema> {
  return Object.fromEntries([...codes, 503].map((c) => [c, ref]));
}

export const bearer = [{ bearerAuth: [] }];

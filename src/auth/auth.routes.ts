import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errors, GenderSchema, Id, Nullable } from '../lib/schemas.js';
import type { AuthService, ClientInfo } from './auth.service.js';

/** A login's User-Agent is kept (for the sessions list) up to this many characters. */
export const USER_AGENT_MAX = 255;

const UserSummary = Type.Object({ user_id: Id, name: Type.String(), email: Type.String() });
const Tokens = {
  access_token: Type.String({ description: 'JWT (HS256), sub = user id' }),
  refresh_token: Type.String({ description: 'Opaque; rotated on every refresh' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Access token lifetime in seconds' }),
};
const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false });

const RegisterBody = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    password: Type.String({ maxLength: 1024 }),
    name: Type.String({ maxLength: 1000 }),
    birth_date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (a lunar date when birth_calendar is lunar)' }),
    gender: GenderSchema,
    birth_time: Type.Optional(
      Type.Union([Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, 24 h, Korean local time' }), Type.Null()]),
    ),
    birth_calendar: Type.Optional(
      Nullable(Type.Union([Type.Literal('solar'), Type.Literal('lunar')], { description: '"solar" when absent or null' })),
    ),
    is_leap_month: Type.Optional(Nullable(Type.Boolean({ description: 'Lunar only: the birth month is a leap month (윤달); false when absent or null' }))),
  },
  { additionalProperties: false },
);

export function authRoutes(auth: AuthService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const client = (req: { ip: string; headers: Record<string, string | string[] | undefined> }): ClientInfo => ({
      ip: req.ip,
      // Kept for the sessions list as sent (trimmed), at most USER_AGENT_MAX characters; blank is none.
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].trim().slice(0, USER_AGENT_MAX) || null : null,
    });

    app.post('/api/users/register', {
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        description: 'Rate limited per IP and per email (429 with Retry-After).',
        body: RegisterBody,
        response: { 201: UserSummary, ...errors(400, 409, 413, 429) },
      },
      handler: async (req, reply) => reply.code(201).send(await auth.register(req.body, client(req))),
    });

    app.post('/api/users/login', {
      schema: {
        tags: ['auth'],
        summary: 'Log in: starts a new session (one per device)',
        description:
          'The same 401 for an unknown email and a wrong password. Rate limited per IP and per email. ' +
          '`403 { "error": "Account suspended" }` (after a correct password) while the account is suspended or banned.',
        body: Type.Object(
          { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ ...Tokens, user: UserSummary }), ...errors(400, 401, 403, 429) },
      },
      handler: async (req) => auth.login(req.body.email, req.body.password, client(req)),
    });

    app.post('/api/auth/refresh', {
      schema: {
        tags: ['auth'],
        summary: 'Rotate a refresh token',
        description:
          'Returns a new access token and the next refresh token. Presenting the same token again within ' +
          'REFRESH_REUSE_GRACE_SECONDS returns the same successor; after that the whole session is revoked (401).',
        body: RefreshBody,
        response: { 200: Type.Object(Tokens), ...errors(400, 401) },
      },
      handler: async (req) => auth.refreshTokens(req.body.refresh_token),
    });

    app.post('/api/auth/logout', {
      schema: {
        tags: ['auth'],
        summary: 'End the session the refresh token belongs to',
        body: RefreshBody,
        response: { 204: Type.Null(), ...errors(400, 401) },
      },
      handler: async (req, reply) => {
        await auth.logout(req.body.refresh_token);
        return reply.code(204).send(null);
      },
    });
  };
}

import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bearer, errors, Id, Nullable, Timestamp } from '../lib/schemas.js';
import { callerOf } from './auth.guard.js';
import type { SessionCaller, SessionsService } from './sessions.service.js';

const Session = Type.Object({
  session_id: Id,
  created_at: Timestamp,
  last_used_at: Timestamp,
  user_agent: Nullable(Type.String({ description: 'The User-Agent header of the login (at most 255 characters), or null' })),
  current: Type.Boolean({ description: 'The session of the access token used for this call' }),
});

const PasswordChange = Type.Object(
  {
    current_password: Type.String({ maxLength: 1024 }),
    new_password: Type.String({ maxLength: 1024, description: '8–128 characters, as at registration' }),
  },
  { additionalProperties: false },
);

function sessionCaller(req: FastifyRequest): SessionCaller {
  const caller = callerOf(req);
  return { userId: caller.userId, email: caller.profile.email, sessionId: caller.sessionId, ip: req.ip };
}

/** Account security: password change, the list of login sessions, revoking one or all. */
export function sessionsRoutes(sessions: SessionsService, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.put('/api/users/me/password', {
      schema: {
        operationId: 'changePassword',
        tags: ['auth'],
        summary: 'Change my password; signs out every other session',
        description:
          'Needs the current password: a wrong one is `401` and counts as a failed login (the login rate limit ' +
          'applies: `429` with Retry-After). `new_password` follows the registration rules (`400`). Every other ' +
          'login session of the account is revoked at once (refresh tokens stop working, access tokens get `401`, ' +
          'sockets are disconnected); the calling session stays logged in.',
        security: bearer,
        body: PasswordChange,
        response: { 204: Type.Null(), ...errors(400, 401, 429) },
      },
      handler: async (req, reply) => {
        await sessions.changePassword(sessionCaller(req), req.body.current_password, req.body.new_password);
        return reply.code(204).send(null);
      },
    });

    app.get('/api/auth/sessions', {
      schema: {
        operationId: 'listSessions',
        tags: ['auth'],
        summary: 'My live login sessions, newest first',
        description:
          'One per login (device). `last_used_at` moves on every token refresh and, at most every 5 minutes, on API ' +
          'use. Sessions that were revoked or whose refresh token expired are not listed.',
        security: bearer,
        response: { 200: Type.Array(Session), ...errors(401) },
      },
      handler: async (req) => sessions.list(sessionCaller(req)),
    });

    app.delete('/api/auth/sessions/:session_id', {
      schema: {
        operationId: 'revokeSession',
        tags: ['auth'],
        summary: 'Sign out one of my sessions',
        description:
          'Revokes the session as logout does (its refresh and access tokens stop working, its sockets are ' +
          "disconnected); the current session may be revoked too. `404` for another user's session or one that " +
          'is not live.',
        security: bearer,
        params: Type.Object({ session_id: Id }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 404) },
      },
      handler: async (req, reply) => {
        await sessions.revoke(sessionCaller(req), req.params.session_id);
        return reply.code(204).send(null);
      },
    });

    app.post('/api/auth/logout-all', {
      schema: {
        operationId: 'logoutAll',
        tags: ['auth'],
        summary: 'Sign out everywhere',
        description: 'Revokes every session of the account, the current one included, and disconnects all its sockets.',
        security: bearer,
        response: { 204: Type.Null(), ...errors(401) },
      },
      handler: async (req, reply) => {
        await sessions.logoutAll(sessionCaller(req));
        return reply.code(204).send(null);
      },
    });
  };
}

import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Id, Nullable } from '../lib/schemas.js';
import { DETAILS_MAX, REASON_MAX, REPORTS_PER_HOUR, type SafetyService } from './safety.service.js';

const UserIdParam = Type.Object({ user_id: Id }, { additionalProperties: false });

const ReportBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: REASON_MAX,
      description:
        `Why, in 1–${REASON_MAX} characters (trimmed); free text, so clients can send a code such as spam, ` +
        'harassment, fake_profile, inappropriate_content, underage or other',
    }),
    details: Type.Optional(Nullable(Type.String({ maxLength: DETAILS_MAX, description: 'Anything else the moderators should know' }))),
  },
  { additionalProperties: false },
);

export function safetyRoutes(safety: SafetyService, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.post('/api/users/:user_id/block', {
      schema: {
        operationId: 'blockUser',
        tags: ['safety'],
        summary: 'Block a user',
        description:
          'Afterwards neither user sees the other in recommendations, profiles, match lists or chat lists, and neither ' +
          'can send the other a request or message. Idempotent. `400` for the caller\'s own id, `404` for an unknown user.',
        security: bearer,
        params: UserIdParam,
        response: { 204: Type.Null(), ...errors(400, 401, 404) },
      },
      handler: async (req, reply) => {
        await safety.block(callerOf(req).userId, req.params.user_id);
        return reply.code(204).send(null);
      },
    });

    app.delete('/api/users/:user_id/block', {
      schema: {
        operationId: 'unblockUser',
        tags: ['safety'],
        summary: 'Unblock a user',
        description: "Lifts the caller's own block (not one the other user made). Idempotent. `400` own id, `404` unknown user.",
        security: bearer,
        params: UserIdParam,
        response: { 204: Type.Null(), ...errors(400, 401, 404) },
      },
      handler: async (req, reply) => {
        await safety.unblock(callerOf(req).userId, req.params.user_id);
        return reply.code(204).send(null);
      },
    });

    app.post('/api/users/:user_id/report', {
      schema: {
        operationId: 'reportUser',
        tags: ['safety'],
        summary: 'Report a user to the moderators',
        description:
          'Works whether or not either user blocked the other. The report outlives the reported account (only its id ' +
          "is kept). `400` for the caller's own id or an invalid body, `404` for an unknown user, `429` (with " +
          `Retry-After) past ${REPORTS_PER_HOUR} reports by the caller in an hour.`,
        security: bearer,
        params: UserIdParam,
        body: ReportBody,
        response: { 201: Type.Object({ report_id: Id }), ...errors(400, 401, 404, 429) },
      },
      handler: async (req, reply) => reply.code(201).send(await safety.report(callerOf(req).userId, req.params.user_id, req.body)),
    });
  };
}

import type { FastifyInstance, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Id } from '../lib/schemas.js';
import type { CompatibilityService } from './compatibility.service.js';
import { CompatibilityBody, Recommendation, RecommendationsQuery } from './recommendations.schemas.js';
import type { RecommendationsService } from './recommendations.service.js';

export function recommendationsRoutes(
  recommendations: RecommendationsService,
  compatibility: CompatibilityService,
  authenticate: onRequestHookHandler,
  countView: preHandlerHookHandler,
) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.get('/api/matches/recommendations', {
      schema: {
        operationId: 'listRecommendations',
        tags: ['matches'],
        summary: "Today's recommendations (오늘의 추천), highest compatibility_score first",
        description:
          'People the caller is interested in and who are interested in the caller, without the caller, anyone with a ' +
          'match row with the caller (either direction) and anyone blocked (either way). The first call of a Korean day ' +
          'fixes the day\'s set (up to 50 people); later calls that day return the same people in the same order, minus ' +
          'those since requested, declined, matched or blocked, cut to `limit`. Equal scores are ordered by a tie-break ' +
          'that changes daily, and people shown on the previous two days come only after everyone else, so a new day ' +
          'brings new people.',
        security: bearer,
        querystring: RecommendationsQuery,
        response: { 200: Type.Array(Recommendation), ...errors(400, 401) },
      },
      handler: async (req) => recommendations.today(callerOf(req).profile, req.query.limit ?? 10),
    });

    app.get('/api/matches/compatibility/:user_id', {
      schema: {
        operationId: 'getCompatibility',
        tags: ['matches'],
        summary: '궁합 with one person, rule by rule',
        description:
          'The same score as everywhere else, with the saju rules that produced it (Korean descriptions); the points add ' +
          "up to the score. `400` for the caller's own id, `404` for an unknown user or one blocked either way. " +
          'Counts with public profile views against PROFILE_VIEWS_PER_HOUR per caller (`429` with Retry-After).',
        security: bearer,
        params: Type.Object({ user_id: Id }, { additionalProperties: false }),
        response: { 200: CompatibilityBody, ...errors(400, 401, 404, 429) },
      },
      preHandler: countView,
      handler: async (req) => compatibility.with(callerOf(req).profile, req.params.user_id),
    });
  };
}

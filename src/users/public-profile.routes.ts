import type { FastifyInstance, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, GenderSchema, Id, Nullable } from '../lib/schemas.js';
import type { PublicProfileService } from './public-profile.service.js';
import { NullableRegionSchema } from './regions.js';

const PublicProfile = Type.Object({
  user_id: Id,
  name: Type.String(),
  age: Type.Integer({ description: 'International age (만 나이), Korean time' }),
  gender: GenderSchema,
  location: Nullable(Type.String()),
  job: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  profile_img_url: Nullable(Type.String()),
  region: NullableRegionSchema(),
  active_recently: Nullable(
    Type.Boolean({ description: 'Used the app within the last 24 hours (to about an hour); null when they hide their activity' }),
  ),
});

export function publicProfileRoutes(profiles: PublicProfileService, authenticate: onRequestHookHandler, countView: preHandlerHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.get('/api/users/:user_id', {
      schema: {
        operationId: 'getUserProfile',
        tags: ['users'],
        summary: "Someone's public profile",
        description:
          'Age, never the birth date or email. `404` for an unknown user or one blocked either way. Your own id shows what others see. ' +
          'Counts with compatibility views against PROFILE_VIEWS_PER_HOUR per caller (`429` with Retry-After).',
        security: bearer,
        params: Type.Object({ user_id: Id }, { additionalProperties: false }),
        response: { 200: PublicProfile, ...errors(400, 401, 404, 429) },
      },
      preHandler: countView,
      handler: async (req) => profiles.view(callerOf(req).userId, req.params.user_id),
    });
  };
}

import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, GenderSchema, Id, Nullable, Timestamp } from '../lib/schemas.js';
import { AGE_PREF_MAX, AGE_PREF_MIN, NullableRegionSchema, REGIONS, RegionSchema } from './regions.js';
import { presentOwnProfile } from './users.presenter.js';
import type { UsersService } from './users.service.js';

export const OwnProfile = Type.Object({
  user_id: Id,
  name: Type.String(),
  email: Type.String(),
  birth_date: Type.String({ description: 'YYYY-MM-DD as entered (lunar when birth_calendar is lunar)' }),
  gender: GenderSchema,
  location: Nullable(Type.String()),
  job: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  profile_img_url: Nullable(Type.String()),
  created_at: Nullable(Timestamp),
  birth_time: Nullable(Type.String({ description: 'HH:MM, Korean local time' })),
  birth_calendar: Type.Union([Type.Literal('solar'), Type.Literal('lunar')]),
  is_leap_month: Type.Boolean(),
  solar_birth_date: Type.String({ description: 'The solar (Gregorian) birth date' }),
  interested_in: Type.Array(GenderSchema),
  region: NullableRegionSchema(),
  preferred_regions: Type.Array(RegionSchema, { description: 'Regions whose people you want recommended; [] = anywhere' }),
  age_min: Nullable(Type.Integer({ minimum: AGE_PREF_MIN, maximum: AGE_PREF_MAX, description: 'Youngest age recommended (만 나이); null: no bound' })),
  age_max: Nullable(Type.Integer({ minimum: AGE_PREF_MIN, maximum: AGE_PREF_MAX, description: 'Oldest age recommended (만 나이); null: no bound' })),
  discoverable: Type.Boolean({ description: "false: you appear in nobody's recommendations (you still get your own)" }),
  show_activity: Type.Boolean({ description: 'false: others see active_recently as null' }),
  push_previews: Type.Boolean({ description: 'false: new_message pushes show only the sender, not the message' }),
});

const AgeBound = (description: string) =>
  Type.Optional(Nullable(Type.Integer({ minimum: AGE_PREF_MIN, maximum: AGE_PREF_MAX, description })));

const ProfileUpdate = Type.Object(
  {
    location: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    job: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    bio: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    profile_img_url: Type.Optional(Nullable(Type.String({ maxLength: 2048, description: 'An http(s) URL' }))),
    interested_in: Type.Optional(
      Nullable(
        Type.Array(GenderSchema, {
          minItems: 1,
          maxItems: 3,
          uniqueItems: true,
          description: 'Genders to be recommended; null restores the default for your gender',
        }),
      ),
    ),
    region: Type.Optional(NullableRegionSchema('Where you live (시/도), one of the 17 codes; null: unknown')),
    preferred_regions: Type.Optional(
      Nullable(
        Type.Array(RegionSchema, {
          maxItems: REGIONS.length,
          uniqueItems: true,
          description: 'Regions whose people you want recommended, no duplicates; [] or null: anywhere',
        }),
      ),
    ),
    age_min: AgeBound('Youngest age to be recommended (만 나이, inclusive), 19–100; null: no bound. Must not exceed age_max (sent or stored)'),
    age_max: AgeBound('Oldest age to be recommended (만 나이, inclusive), 19–100; null: no bound. Must not be below age_min (sent or stored)'),
    discoverable: Type.Optional(Type.Boolean({ description: "false: appear in nobody's recommendations; chats and matches go on" })),
    show_activity: Type.Optional(Type.Boolean({ description: 'false: others see active_recently as null' })),
    push_previews: Type.Optional(Type.Boolean({ description: 'false: new_message pushes show only the sender, not the message' })),
  },
  {
    additionalProperties: false,
    description: 'Any subset; null (or blank text) clears a field; any other field is a 400',
  },
);

export function usersRoutes(users: UsersService, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.get('/api/users/me', {
      schema: {
        operationId: 'getMyProfile',
        tags: ['users'],
        summary: 'My profile',
        description: 'Everything the caller entered, with the birth data (as entered, and the solar date) and the preferences; unset fields are null.',
        security: bearer,
        response: { 200: OwnProfile, ...errors(401) },
      },
      handler: async (req) => presentOwnProfile(callerOf(req).profile),
    });

    app.put('/api/users/me', {
      schema: {
        operationId: 'updateMyProfile',
        tags: ['users'],
        summary: 'Update my profile',
        description: 'Any subset of the editable fields; null (or blank text) clears a field, text is stored trimmed, any other field is 400.',
        security: bearer,
        body: ProfileUpdate,
        response: { 200: Type.Object({ message: Type.String() }), ...errors(400, 401) },
      },
      handler: async (req) => {
        await users.updateProfile(callerOf(req).userId, req.body);
        return { message: 'Profile updated successfully' };
      },
    });

    app.delete('/api/users/me', {
      schema: {
        operationId: 'deleteMyAccount',
        tags: ['users'],
        summary: 'Delete my account and all my personal data',
        description: 'Needs the password. Frees the email address. Disconnects my sockets.',
        security: bearer,
        body: Type.Object({ password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 429) },
      },
      handler: async (req, reply) => {
        await users.deleteAccount(callerOf(req).userId, req.body.password);
        return reply.code(204).send(null);
      },
    });
  };
}

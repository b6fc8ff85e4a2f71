import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Id, Nullable, Timestamp } from '../lib/schemas.js';
import { SajuViewSchema } from '../users/saju.routes.js';
import { OwnProfile } from '../users/users.routes.js';
import { EXPORTS_PER_HOUR, type ExportService } from './export.service.js';

const Person = Type.Object({ user_id: Id, name: Type.String() }, { description: 'Another person: id and name only' });
const MatchStatus = Type.Union([Type.Literal('requested'), Type.Literal('matched'), Type.Literal('declined')]);

const ExportDocument = Type.Object({
  exported_at: Timestamp,
  profile: OwnProfile,
  saju: SajuViewSchema,
  matches: Type.Array(
    Type.Object({
      match_id: Id,
      status: MatchStatus,
      direction: Type.Union([Type.Literal('sent'), Type.Literal('received')]),
      compatibility_score: Nullable(Type.Integer()),
      created_at: Nullable(Timestamp),
      partner: Person,
    }),
    { description: 'Every match row I am part of (requests, matches, declined and ended ones), in the order they were made' },
  ),
  chats: Type.Array(
    Type.Object({
      chat_id: Id,
      match_id: Id,
      created_at: Nullable(Timestamp),
      partner: Person,
      open: Type.Boolean({ description: 'In my chat list now; false after an unmatch, a block or the partner’s suspension' }),
      read_up_to: Nullable(Id),
      messages: Type.Array(
        Type.Object({
          message_id: Id,
          sender_id: Nullable(Id),
          content: Type.String(),
          sent_at: Nullable(Timestamp),
          client_msg_id: Nullable(Type.String()),
        }),
        { description: 'Oldest first: every message of an open chat; only my own messages of a closed one' },
      ),
    }),
  ),
  blocks: Type.Array(Type.Object({ user_id: Id, name: Type.String(), created_at: Timestamp }), { description: 'People I blocked' }),
  reports: Type.Array(
    Type.Object({
      report_id: Id,
      reported_user_id: Id,
      reason: Type.String(),
      details: Nullable(Type.String()),
      created_at: Timestamp,
      status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
    }),
    { description: 'Reports I filed' },
  ),
  sessions: Type.Array(
    Type.Object({
      session_id: Id,
      created_at: Timestamp,
      last_used_at: Timestamp,
      revoked_at: Nullable(Timestamp),
      revoked_reason: Nullable(Type.String()),
      user_agent: Nullable(Type.String()),
      ip: Nullable(Type.String()),
      current: Type.Boolean(),
    }),
    { description: 'Every login session, live or ended, with the address it logged in from' },
  ),
  moderation: Type.Array(
    Type.Object({ action: Type.Union([Type.Literal('warn'), Type.Literal('suspend'), Type.Literal('ban')]), days: Nullable(Type.Integer()), created_at: Timestamp }),
    { description: "Moderators' decisions about my account" },
  ),
  devices: Type.Array(
    Type.Object({
      device_id: Id,
      session_id: Id,
      platform: Type.Union([Type.Literal('web'), Type.Literal('fcm'), Type.Literal('apns')]),
      address: Type.String({ description: 'The FCM/APNs token or the Web Push endpoint' }),
      created_at: Timestamp,
    }),
    { description: 'My push devices (every session)' },
  ),
});

export function exportRoutes(exports: ExportService, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.get('/api/users/me/export', {
      schema: {
        operationId: 'exportMyData',
        tags: ['users'],
        summary: 'Download everything stored about me (JSON)',
        description:
          'The right of access and portability (개인정보 보호법 열람권, GDPR Art. 15/20): profile and preferences, ' +
          'saju, matches, chats with their messages, blocks, the reports I filed, sessions, push devices and moderation decisions ' +
          'about my account. Other people appear as id and name only. Sent as an attachment. ' +
          `At most ${EXPORTS_PER_HOUR} per hour (\`429\` with Retry-After).`,
        security: bearer,
        response: { 200: ExportDocument, ...errors(401, 429) },
      },
      handler: async (req, reply) => {
        const caller = callerOf(req);
        const document = await exports.export(caller);
        reply.header('content-disposition', `attachment; filename="saju-export-${caller.userId}.json"`);
        return document;
      },
    });
  };
}

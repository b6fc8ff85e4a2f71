import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Id, Nullable, Timestamp } from '../lib/schemas.js';
import { EVIDENCE_MESSAGES, NOTE_MAX, SUSPENSION_DAYS_MAX, type ModerationService } from './moderation.service.js';
import type { Moderators } from './moderators.js';

const Action = Type.Union([Type.Literal('dismiss'), Type.Literal('warn'), Type.Literal('suspend'), Type.Literal('ban')]);
const Page = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
};

const Report = Type.Object({
  report_id: Id,
  reason: Type.String(),
  details: Nullable(Type.String()),
  created_at: Timestamp,
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  reporter: Nullable(
    Type.Object({ user_id: Id, name: Nullable(Type.String()) }, { description: 'null once the reporter deleted their account' }),
  ),
  reported: Type.Object({
    user_id: Id,
    name: Nullable(Type.String({ description: 'null once the account was deleted' })),
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('banned'), Type.Literal('deleted')], {
      description: '`deleted`: the account no longer exists (only its id was kept)',
    }),
    reports_open: Type.Integer({ minimum: 0, description: 'Open reports against this user, this one included when open' }),
  }),
  evidence: Type.Array(
    Type.Object({ message_id: Id, sender_id: Nullable(Id), content: Type.String(), sent_at: Timestamp }),
    {
      description:
        `The last ${EVIDENCE_MESSAGES} messages of the chat between reporter and reported, newest first (as chat ` +
        'history), whatever became of the chat (unmatched, blocked); [] when they never had one',
    },
  ),
  resolution: Nullable(
    Type.Object(
      { action: Action, resolved_at: Nullable(Timestamp), moderator_id: Nullable(Id) },
      { description: 'How a resolved report was resolved; null while open' },
    ),
  ),
});

const Resolve = Type.Object(
  {
    action: Action,
    note: Type.Optional(Nullable(Type.String({ maxLength: NOTE_MAX, description: 'For the audit log; write no personal data' }))),
    days: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: SUSPENSION_DAYS_MAX, description: 'Required for suspend, refused otherwise' })),
    ),
  },
  { additionalProperties: false },
);

const AuditEntry = Type.Object({
  audit_id: Id,
  moderator_id: Id,
  action: Action,
  target_user_id: Id,
  report_id: Nullable(Id),
  note: Nullable(Type.String()),
  days: Nullable(Type.Integer({ description: 'The suspension length, for suspend' })),
  created_at: Timestamp,
});

const HIDDEN = 'Moderators only: to anyone else (signed in) this route answers 404 as if it did not exist.';

/** /api/admin: the report queue, resolving reports, the audit log. Moderators only. */
export function moderationRoutes(moderation: ModerationService, moderators: Moderators, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);
    app.addHook('onRequest', moderators.only);

    app.get('/api/admin/reports', {
      schema: {
        operationId: 'listReports',
        tags: ['moderation'],
        summary: 'The report queue with its evidence',
        description:
          `${HIDDEN} \`status=open\` (default): oldest first, the order to work through them; \`status=resolved\`: ` +
          'most recently resolved first.',
        security: bearer,
        querystring: Type.Object(
          { status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')], { default: 'open' })), ...Page },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Report), ...errors(400, 401, 404) },
      },
      handler: async (req) => moderation.reports(req.query.status ?? 'open', req.query.limit ?? 50, req.query.offset ?? 0),
    });

    app.post('/api/admin/reports/:report_id/resolve', {
      schema: {
        operationId: 'resolveReport',
        tags: ['moderation'],
        summary: 'Resolve a report: dismiss, warn, suspend (days) or ban',
        description:
          `${HIDDEN} A suspension or ban takes effect at once: the account's sessions are revoked and its sockets ` +
          'disconnected, it vanishes from recommendations, profiles and partners\' chat lists, and login answers ' +
          '`403 Account suspended` until the suspension ends (a ban: always). A later, shorter suspension never ' +
          'shortens a longer one. `409` for a resolved report, for suspending or banning a moderator, or an account ' +
          'that no longer exists.',
        security: bearer,
        params: Type.Object({ report_id: Id }, { additionalProperties: false }),
        body: Resolve,
        response: {
          200: Type.Object({ report_id: Id, status: Type.Literal('resolved'), action: Action }),
          ...errors(400, 401, 404, 409),
        },
      },
      handler: async (req) => moderation.resolve(callerOf(req).userId, req.params.report_id, req.body),
    });

    app.get('/api/admin/audit', {
      schema: {
        operationId: 'listModerationAudit',
        tags: ['moderation'],
        summary: 'Every moderator action, newest first',
        description: `${HIDDEN} Ids only: the rows outlive the moderator's and the target's accounts.`,
        security: bearer,
        querystring: Type.Object(Page, { additionalProperties: false }),
        response: { 200: Type.Array(AuditEntry), ...errors(400, 401, 404) },
      },
      handler: async (req) => moderation.audit(req.query.limit ?? 50, req.query.offset ?? 0),
    });
  };
}

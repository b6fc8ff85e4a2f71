import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Id } from '../lib/schemas.js';
import { Accepted, Declined, MatchListItem, MatchListQuery, MatchRequestBody, PastPerson, RequestResult } from './matches.schemas.js';
import { PAST_DAYS, type MatchesService } from './matches.service.js';

const MatchIdParam = Type.Object({ match_id: Id }, { additionalProperties: false });

export function matchesRoutes(matches: MatchesService, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);

    app.post('/api/matches/request', {
      schema: {
        operationId: 'requestMatch',
        tags: ['matches'],
        summary: 'Send a chat request (대화 요청)',
        description:
          'Stores the pair\'s compatibility_score. If the receiver had already requested the caller and that request is ' +
          'still pending, it becomes a match with its chat: `201 { match_id, status: "matched", chat_id }` (the existing ' +
          'row). `409 Match request already exists` for any other existing row of the pair (pending, matched or ' +
          'declined, either direction). `400` for the caller\'s own id, `404` for an unknown or blocked user, `429` ' +
          '(Retry-After: seconds to the next Korean midnight) past MATCH_REQUESTS_PER_DAY new requests in one Korean day.',
        security: bearer,
        body: MatchRequestBody,
        response: { 201: RequestResult, ...errors(400, 401, 404, 409, 429) },
      },
      handler: async (req, reply) => reply.code(201).send(await matches.request(callerOf(req).profile, req.body.receiver_id)),
    });

    app.post('/api/matches/:match_id/accept', {
      schema: {
        operationId: 'acceptMatch',
        tags: ['matches'],
        summary: 'Accept a chat request; creates the chat in the same transaction',
        description:
          'Receiver only: the requester gets 403, anyone else 404. Accepting a matched match returns the same body ' +
          'again; a declined one is a 409. Concurrent accepts create exactly one chat.',
        security: bearer,
        params: MatchIdParam,
        response: { 200: Accepted, ...errors(400, 401, 403, 404, 409) },
      },
      handler: async (req) => matches.accept(callerOf(req).profile, req.params.match_id),
    });

    app.post('/api/matches/:match_id/decline', {
      schema: {
        operationId: 'declineMatch',
        tags: ['matches'],
        summary: 'Decline a chat request',
        description:
          'Receiver only: the requester gets 403, anyone else 404. Declining a declined match returns the same body ' +
          'again; a matched one is a 409.',
        security: bearer,
        params: MatchIdParam,
        response: { 200: Declined, ...errors(400, 401, 403, 404, 409) },
      },
      handler: async (req) => matches.decline(callerOf(req).profile, req.params.match_id),
    });

    app.post('/api/matches/:match_id/cancel', {
      schema: {
        operationId: 'cancelMatchRequest',
        tags: ['matches'],
        summary: 'Withdraw a chat request I sent',
        description:
          'Requester only, while the request is still `requested`: it disappears from both match lists and the pair may ' +
          'request each other again later (a withdrawn request still counts toward today\'s MATCH_REQUESTS_PER_DAY). ' +
          'The receiver gets `403`, anyone else (or a match hidden by a block or an unmatch) `404`; a request already ' +
          'accepted or declined is a `409`.',
        security: bearer,
        params: MatchIdParam,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
      handler: async (req, reply) => {
        await matches.cancel(callerOf(req).profile, req.params.match_id);
        return reply.code(204).send(null);
      },
    });

    app.post('/api/matches/:match_id/unmatch', {
      schema: {
        operationId: 'unmatch',
        tags: ['matches'],
        summary: 'End a match, permanently and silently',
        description:
          'Either partner of a `matched` match. The other side is not notified. The match disappears from both match ' +
          'lists and its chat from both chat lists; its messages and chat events answer `404` (socket: `{ ok: false, ' +
          'error: "Chat not found" }`) to both. The two never appear in each other\'s recommendations again and a new ' +
          'request between them is a `404`, as for a blocked user. Both keep seeing each other in `GET /api/matches/past` ' +
          `for ${PAST_DAYS} days, to report if needed. Unmatching again → \`204\`. Not a participant → \`404\`; a ` +
          'request that was never accepted → `409` (cancel or decline it instead).',
        security: bearer,
        params: MatchIdParam,
        response: { 204: Type.Null(), ...errors(400, 401, 404, 409) },
      },
      handler: async (req, reply) => {
        await matches.unmatch(callerOf(req).profile, req.params.match_id);
        return reply.code(204).send(null);
      },
    });

    app.get('/api/matches/past', {
      schema: {
        operationId: 'listPastMatches',
        tags: ['matches'],
        summary: 'People I unmatched, was unmatched by, or blocked (last 30 days)',
        description:
          `Newest first, each person once (their latest ending), for ${PAST_DAYS} days after the unmatch or block, so ` +
          'that they can still be reported (`POST /api/users/{user_id}/report` works whatever the block or unmatch ' +
          'state). A lifted block is no longer listed; a deleted account is gone.',
        security: bearer,
        response: { 200: Type.Array(PastPerson), ...errors(401) },
      },
      handler: async (req) => matches.past(callerOf(req).userId),
    });

    app.get('/api/matches', {
      schema: {
        operationId: 'listMatches',
        tags: ['matches'],
        summary: 'My matches and requests, newest first',
        description:
          'Without `direction`, both sent and received; without `status`, all. `chat_id` is null unless matched. ' +
          'Matches with someone blocked (either way) are not listed.',
        security: bearer,
        querystring: MatchListQuery,
        response: { 200: Type.Array(MatchListItem), ...errors(400, 401) },
      },
      handler: async (req) => matches.list(callerOf(req).userId, req.query),
    });
  };
}

import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors } from '../lib/schemas.js';
import { presentMessage } from './chats.presenter.js';
import {
  ChatIdParams,
  ChatSummary,
  HISTORY_LIMIT_DEFAULT,
  HistoryMessage,
  HistoryQuerySchema,
  MarkReadBody,
  MessageOut,
  SendMessageBody,
} from './chats.schemas.js';
import type { ChatsService } from './chats.service.js';

const NOT_MEMBER = 'Not a member of this chat (or it no longer exists, or a block closed it) → 404';

export function chatsRoutes(chats: ChatsService, authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);
    // `POST …/read` may come without any body: treat it as `{}`.
    app.addHook('preValidation', async (req) => {
      if (req.method === 'POST' && req.body === undefined) req.body = {};
    });

    app.get('/api/chats', {
      schema: {
        operationId: 'listChats',
        tags: ['chats'],
        summary: 'My chats, most recent activity first',
        description: 'Only chats of matched matches; chats with a blocked user (either way) are left out.',
        security: bearer,
        response: { 200: Type.Array(ChatSummary), ...errors(401) },
      },
      handler: async (req) => chats.list(callerOf(req).userId),
    });

    app.get('/api/chats/:chat_id/messages', {
      schema: {
        operationId: 'listMessages',
        tags: ['chats'],
        summary: 'A page of messages: newest first; with `after`, oldest first',
        description: `Pages are by message id: \`before\` gives the page just older than that message (stable while new messages arrive), \`after\` the messages newer than that one (catch-up after a reconnect). ${NOT_MEMBER}.`,
        security: bearer,
        params: ChatIdParams,
        querystring: HistoryQuerySchema,
        response: { 200: Type.Array(HistoryMessage), ...errors(400, 401, 404) },
      },
      handler: async (req) => {
        const { limit = HISTORY_LIMIT_DEFAULT, offset = 0, ...cursors } = req.query;
        return chats.history(callerOf(req).userId, req.params.chat_id, { limit, offset, ...cursors });
      },
    });

    app.post('/api/chats/:chat_id/read', {
      schema: {
        operationId: 'markChatRead',
        tags: ['chats'],
        summary: 'Move my read mark forward (never back)',
        description: `Unread counts are the partner's messages after the mark. A message_id that is not a message of this chat → 404. The partner's sockets get \`messagesRead\`. ${NOT_MEMBER}.`,
        security: bearer,
        params: ChatIdParams,
        body: MarkReadBody,
        response: { 204: Type.Null(), ...errors(400, 401, 404) },
      },
      handler: async (req, reply) => {
        await chats.markRead(callerOf(req).userId, req.params.chat_id, req.body.message_id);
        return reply.code(204).send(null);
      },
    });

    app.post('/api/chats/:chat_id/messages', {
      schema: {
        operationId: 'sendMessage',
        tags: ['chats'],
        summary: 'Send a message (REST fallback of the sendMessage socket event)',
        description: `Same rules and fan-out as \`sendMessage\`: stored, then answered, then \`newMessage\` to every socket of both members. A repeated client_msg_id returns the original message (201) and stores nothing. A block between the members → 403. Messages per user, over sockets and REST together, are rate limited (429 with Retry-After). ${NOT_MEMBER}.`,
        security: bearer,
        params: ChatIdParams,
        body: SendMessageBody,
        response: { 201: MessageOut, ...errors(400, 401, 403, 404, 429) },
      },
      handler: async (req, reply) => {
        const input = { chatId: req.params.chat_id, content: req.body.content, clientMsgId: req.body.client_msg_id };
        const message = await chats.send(callerOf(req).userId, input, 'rest');
        return reply.code(201).send(presentMessage(message));
      },
    });
  };
}

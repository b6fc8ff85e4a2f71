import { Type, type Static } from 'typebox';
import { Id, Nullable, Timestamp } from '../lib/schemas.js';

/**
 * One schema per REST body and socket payload: the same definitions validate HTTP requests, socket
 * events (src/realtime/payloads.ts) and describe both in the OpenAPI document and docs/api.md.
 */

export const CONTENT_MAX = 5000;
export const CLIENT_MSG_ID_MAX = 64;

const Content = Type.String({
  description: `Message text: 1–${CONTENT_MAX} characters after trimming surrounding whitespace (stored trimmed, otherwise as sent: no HTML escaping)`,
});
const ClientMsgId = Type.String({
  minLength: 1,
  maxLength: CLIENT_MSG_ID_MAX,
  description: `The sender's idempotency key (1–${CLIENT_MSG_ID_MAX} characters, e.g. a UUID): a retry with the same key in the same chat stores nothing and returns the original message`,
});

export const SendMessageBody = Type.Object(
  { content: Content, client_msg_id: Type.Optional(Nullable(ClientMsgId)) },
  { additionalProperties: false },
);
export const SendMessagePayload = Type.Object(
  { chat_id: Id, content: Content, client_msg_id: Type.Optional(Nullable(ClientMsgId)) },
  { additionalProperties: false },
);
export const MarkReadBody = Type.Object(
  { message_id: Type.Optional(Id) },
  { additionalProperties: false, description: 'Without message_id: up to the newest message of the chat' },
);
export const MarkReadPayload = Type.Object({ chat_id: Id, message_id: Type.Optional(Id) }, { additionalProperties: false });
export const TypingPayload = Type.Object({ chat_id: Id }, { additionalProperties: false });

export const ChatIdParams = Type.Object({ chat_id: Id }, { additionalProperties: false });
export const HISTORY_LIMIT_DEFAULT = 30;
// Optional in the document (clients may leave them out); the validator fills in the defaults.
export const HistoryQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: HISTORY_LIMIT_DEFAULT })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Messages older than this message id, newest first' })),
  after: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Messages newer than this message id, OLDEST first (catch-up after a reconnect)' })),
});

export const MessageOut = Type.Object({
  message_id: Id,
  chat_id: Id,
  sender_id: Id,
  content: Type.String(),
  sent_at: Timestamp,
  client_msg_id: Nullable(Type.String()),
});
export const HistoryMessage = Type.Object({ message_id: Id, sender_id: Id, content: Type.String(), sent_at: Timestamp });
export const ChatSummary = Type.Object({
  chat_id: Id,
  partner: Type.Object({
    user_id: Id,
    name: Type.String(),
    profile_img_url: Nullable(Type.String()),
    active_recently: Nullable(
      Type.Boolean({ description: 'Used the app within the last 24 hours (to about an hour); null when they hide their activity' }),
    ),
  }),
  last_message: Nullable(HistoryMessage),
  unread_count: Type.Integer({ minimum: 0, description: "The partner's messages after my read mark" }),
});

export type SendMessageInput = Static<typeof SendMessagePayload>;
export type MessageView = Static<typeof MessageOut>;
export type HistoryMessageView = Static<typeof HistoryMessage>;
export type ChatSummaryView = Static<typeof ChatSummary>;

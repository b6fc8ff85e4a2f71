import type { MessageView } from './chats.schemas.js';

/**
 * The chat feature's outbound port: what it tells the real-time layer after a commit. The service
 * knows nothing of sockets; src/realtime implements this (fan-out to rooms, across processes).
 */

/** A message as stored, plus what delivery needs to keep each chat in message id order. */
export interface StoredMessage {
  id: number;
  chatId: number;
  senderId: number;
  content: string;
  sentAt: Date;
  clientMsgId: string | null;
  /** Both members of the chat: the fan-out goes to every socket of each. */
  memberIds: readonly [number, number];
  /** The chat's previous message (null for its first), read under the chat's row lock, and when it
   * was sent (milliseconds since the epoch). */
  prevId: number | null;
  prevSentMs: number | null;
  /** Its API representation, once presentMessage has built it. */
  view?: MessageView;
}

export interface ReadMarkMoved {
  chatId: number;
  readerId: number;
  partnerId: number;
  messageId: number;
}

export interface ChatDelivery {
  /** Newly stored messages, in message id order, after their transaction committed. */
  messagesStored(messages: readonly StoredMessage[]): void;
  readMarkMoved(event: ReadMarkMoved): void;
}

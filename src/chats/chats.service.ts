import type { Db } from '../db/database.js';
import { forbidden, invalid, notFound, rateLimited, NOT_FOUND } from '../lib/errors.js';
import type { Metrics } from '../lib/metrics.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import type { ChatDelivery, StoredMessage } from './chat-delivery.js';
import { advanceReadMark, findChatAccess, findReadTarget, listChats, listMessages, type ChatAccess, type HistoryQuery } from './chats.repo.js';
import { presentChat, presentHistoryMessage } from './chats.presenter.js';
import { CONTENT_MAX, type ChatSummaryView, type HistoryMessageView } from './chats.schemas.js';
import { MessageWriter, type AppendWaiter } from './message-writer.js';
import { findMessagesBetween, type AppendOutcome, type MessageDraft } from './messages.repo.js';

export const CHAT_NOT_FOUND = NOT_FOUND.chat;
export const BLOCKED = 'Blocked: messages between you and this user are not allowed';

export const SEND_RATE_LIMITED = 'rate limited: too many messages, slow down';

export type Transport = 'socket' | 'rest';

/**
 * Messages one user may send per window over all their sockets, on every process, and the REST
 * fallback together (counted in Redis when REDIS_URL is set): the per-socket limits alone would
 * let a user multiply them with more sockets, and REST sends would have none.
 */
export interface SendLimit {
  limiter: RateLimiter;
  perUser: number;
  windowSeconds: number;
}

export interface SendInput {
  chatId: number;
  content: string;
  clientMsgId?: string | null | undefined;
}

/** Trimmed content, 1–CONTENT_MAX characters (code points, as JSON Schema counts them). */
function messageContent(raw: string): string {
  const content = raw.trim();
  const length = content.length <= CONTENT_MAX ? content.length : [...content].length;
  const problem =
    length === 0 || length > CONTENT_MAX
      ? `must be 1–${CONTENT_MAX} characters after trimming`
      : content.includes('\u0000')
        ? 'must not contain NUL characters'
        : null;
  if (problem) throw invalid(`Invalid field 'content': ${problem}`, [{ field: 'content', message: problem }]);
  return content;
}

/** Who hears the outcome of `submit`: exactly one call, after the message is stored (or not). */
export interface SendReceiver {
  sent(message: StoredMessage): void;
  failed(error: unknown): void;
}

/** A `submit` in the writer's queue: turns the append's outcome into the receiver's call. */
class PendingSend implements AppendWaiter {
  constructor(
    readonly draft: MessageDraft,
    private readonly settle: (outcome: AppendOutcome) => StoredMessage,
    private readonly receiver: SendReceiver,
  ) {}

  resolve(outcome: AppendOutcome): void {
    let message: StoredMessage;
    try {
      message = this.settle(outcome);
    } catch (error) {
      return this.reject(error);
    }
    this.sent(message);
  }

  sent(message: StoredMessage): void {
    try {
      this.receiver.sent(message);
    } catch {
      // a receiver must not throw (the socket layer logs its own failures); never into the writer
    }
  }

  reject(error: unknown): void {
    try {
      this.receiver.failed(error);
    } catch {
      // as above
    }
  }
}

/**
 * Chat use cases for REST and Socket.IO alike. Every method first checks that the caller is a
 * member of the (matched) chat: anyone else is told it does not exist.
 */
export class ChatsService {
  private readonly writer: MessageWriter;

  constructor(
    private readonly db: Db,
    private readonly delivery: ChatDelivery,
    private readonly metrics: Metrics,
    private readonly sendLimit?: SendLimit,
  ) {
    this.writer = new MessageWriter(db, (messages) => delivery.messagesStored(messages));
  }

  async list(userId: number): Promise<ChatSummaryView[]> {
    return (await listChats(this.db, userId)).map(presentChat);
  }

  async history(userId: number, chatId: number, query: HistoryQuery): Promise<HistoryMessageView[]> {
    await this.requireVisible(chatId, userId);
    return (await listMessages(this.db, chatId, query)).map(presentHistoryMessage);
  }

  /** Stores a message (membership, blocks and both members' account status are checked under the
   * chat's lock by the writer: a chat whose partner is suspended or banned is not found). */
  async send(userId: number, input: SendInput, transport: Transport): Promise<StoredMessage> {
    const content = messageContent(input.content);
    if (this.sendLimit) {
      const { limiter, perUser, windowSeconds } = this.sendLimit;
      const decision = await limiter.hit(`send:user:${userId}`, perUser, windowSeconds);
      if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, SEND_RATE_LIMITED);
    }
    const outcome = await this.writer.append({
      chatId: input.chatId,
      senderId: userId,
      content,
      clientMsgId: input.clientMsgId ?? null,
    });
    return transport === 'socket' ? this.settleSocket(outcome) : this.settleRest(outcome);
  }

  /**
   * `send` for the socket's hot path, the same steps and outcomes, told to `receiver` instead of
   * returned: when the per-user limit decides in memory (a lease in hand), no promise is made for
   * the message at all; otherwise it is `send` itself.
   */
  submit(userId: number, input: SendInput, receiver: SendReceiver): void {
    let draft: MessageDraft;
    try {
      draft = { chatId: input.chatId, senderId: userId, content: messageContent(input.content), clientMsgId: input.clientMsgId ?? null };
      if (this.sendLimit) {
        const { limiter, perUser, windowSeconds } = this.sendLimit;
        const key = `send:user:${userId}`;
        const decision = limiter.hitNow?.(key, perUser, windowSeconds);
        if (decision === undefined) {
          const pending = new PendingSend(draft, this.settleSocket, receiver);
          this.send(userId, input, 'socket').then(
            (message) => pending.sent(message),
            (error: unknown) => pending.reject(error),
          );
          return;
        }
        if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, SEND_RATE_LIMITED);
      }
    } catch (error) {
      receiver.failed(error);
      return;
    }
    this.writer.enqueue(new PendingSend(draft, this.settleSocket, receiver));
  }

  private readonly settleSocket = (outcome: AppendOutcome): StoredMessage => this.settle(outcome, 'socket');
  private readonly settleRest = (outcome: AppendOutcome): StoredMessage => this.settle(outcome, 'rest');

  /** The stored (or original) message of an append, or the refusal to throw. */
  private settle(outcome: AppendOutcome, transport: Transport): StoredMessage {
    switch (outcome.kind) {
      case 'not_found':
        throw notFound(CHAT_NOT_FOUND);
      case 'blocked':
        throw forbidden(BLOCKED);
      case 'stored':
        this.metrics.messagesSent.inc({ transport });
        return outcome.message;
      case 'duplicate':
        return outcome.message;
    }
  }

  /** Moves the caller's read mark (default: to the newest message); tells the partner. */
  async markRead(userId: number, chatId: number, messageId?: number): Promise<number | null> {
    const access = await this.requireVisible(chatId, userId);
    const target = await findReadTarget(this.db, chatId, messageId);
    if (target === undefined) {
      if (messageId !== undefined) throw notFound(NOT_FOUND.message);
      return null; // an empty chat: nothing to mark
    }
    const mark = await advanceReadMark(this.db, chatId, userId, target);
    this.delivery.readMarkMoved({ chatId, readerId: userId, partnerId: access.partnerId, messageId: mark });
    return mark;
  }

  /** The partner to show a typing indicator to (not stored). */
  async typingPartner(userId: number, chatId: number): Promise<number> {
    const access = await findChatAccess(this.db, chatId, userId);
    if (!access || !access.partnerActive) throw notFound(CHAT_NOT_FOUND);
    if (access.blocked) throw forbidden(BLOCKED);
    return access.partnerId;
  }

  /** Stored messages of a chat strictly between two ids, oldest first (for the real-time
   * delivery to fill a fan-out that never arrived; no caller to check). */
  messagesBetween(chatId: number, afterId: number, beforeId: number): Promise<StoredMessage[]> {
    return findMessagesBetween(this.db, chatId, afterId, beforeId);
  }

  /** Waits for messages already accepted to be stored and answered (shutdown). */
  close(): Promise<void> {
    return this.writer.drain();
  }

  /** A chat with a block between its members has disappeared for both; one whose partner is
   * suspended or banned has disappeared for the caller. */
  private async requireVisible(chatId: number, userId: number): Promise<ChatAccess> {
    const access = await findChatAccess(this.db, chatId, userId);
    if (!access || access.blocked || !access.partnerActive) throw notFound(CHAT_NOT_FOUND);
    return access;
  }
}

import type { FastifyBaseLogger } from 'fastify';
import { presentMessage } from '../chats/chats.presenter.js';
import { MarkReadPayload, SendMessagePayload, TypingPayload } from '../chats/chats.schemas.js';
import type { ChatsService } from '../chats/chats.service.js';
import { errorAck, payloadParser, type Parse } from './payloads.js';
import { RATE_LIMITED, TokenBucket } from './send-limiter.js';
import { userRoom, type IoSocket } from './socket-events.js';

export interface SocketLimits {
  /** sendMessage: burst, then sustained rate per socket. */
  sendBurst: number;
  sendPerSecond: number;
  /** markRead and typing together. */
  eventBurst: number;
  eventPerSecond: number;
}

type Reply = (response: object) => void;
type LooseSocket = { on(event: string, listener: (...args: unknown[]) => void): void };

const KNOWN_EVENTS = new Set(['sendMessage', 'markRead', 'typing']);

/**
 * Wires one client event: the ack (when the client gave one) is the last argument; every payload
 * is validated; every outcome is answered `{ ok: true, … }` or `{ ok: false, error }`. Nothing a
 * client sends can throw out of a handler, so one bad client never disturbs another.
 */
function handle<T>(
  socket: IoSocket,
  event: string,
  bucket: TokenBucket,
  parse: Parse<T>,
  run: (payload: T) => Promise<object>,
  log: FastifyBaseLogger,
): void {
  (socket as unknown as LooseSocket).on(event, (...args: unknown[]) => {
    const last = args.at(-1);
    const ack: Reply = typeof last === 'function' ? (last as Reply) : () => {};
    if (typeof last === 'function') args.pop();
    let answered = false;
    const reply: Reply = (response) => {
      if (answered) return;
      answered = true;
      ack(response);
    };
    const fail = (err: unknown) => {
      const { ack: answer, unexpected } = errorAck(err);
      if (unexpected) log.error({ err, event, userId: socket.data.userId, socketId: socket.id }, 'socket event failed');
      try {
        reply(answer);
      } catch (ackError) {
        log.error({ err: ackError, event, userId: socket.data.userId, socketId: socket.id }, 'socket ack failed');
      }
    };
    // Whatever happens below — a bug, a stack overflow, a synchronous throw of the service —
    // becomes an error ack and a log line, never an exception out of the Socket.IO listener
    // (which would be uncaught and end the process).
    try {
      if (!bucket.take()) return reply({ ok: false, error: RATE_LIMITED });
      const parsed = parse(args[0]);
      if (!parsed.ok) return reply({ ok: false, error: parsed.error });
      run(parsed.value).then((result) => reply({ ok: true, ...result }), fail).catch(fail);
    } catch (err) {
      fail(err);
    }
  });
}

/** Handlers for one connected socket, built from the chat service (no sockets in the service). */
export function chatSocketHandlers(chats: ChatsService, limits: SocketLimits, log: FastifyBaseLogger) {
  const parseSend = payloadParser(SendMessagePayload);
  const parseRead = payloadParser(MarkReadPayload);
  const parseTyping = payloadParser(TypingPayload);

  return (socket: IoSocket): void => {
    const userId = socket.data.userId;
    const sends = new TokenBucket(limits.sendBurst, limits.sendPerSecond);
    const others = new TokenBucket(limits.eventBurst, limits.eventPerSecond);

    handle(socket, 'sendMessage', sends, parseSend, async (p) => {
      const input = { chatId: p.chat_id, content: p.content, clientMsgId: p.client_msg_id };
      return { message: presentMessage(await chats.send(userId, input, 'socket')) };
    }, log);

    handle(socket, 'markRead', others, parseRead, async (p) => {
      await chats.markRead(userId, p.chat_id, p.message_id);
      return {};
    }, log);

    handle(socket, 'typing', others, parseTyping, async (p) => {
      const partnerId = await chats.typingPartner(userId, p.chat_id);
      socket.to(userRoom(partnerId)).emit('typing', { chat_id: p.chat_id, user_id: userId });
      return {};
    }, log);

    socket.onAny((event: string, ...args: unknown[]) => {
      try {
        const last = args.at(-1);
        if (!KNOWN_EVENTS.has(event) && typeof last === 'function') (last as Reply)({ ok: false, error: 'Unknown event' });
      } catch (err) {
        log.error({ err, event: String(event), userId, socketId: socket.id }, 'socket event failed');
      }
    });
  };
}

import type { FastifyBaseLogger } from 'fastify';
import { presentMessage } from '../chats/chats.presenter.js';
import { MarkReadPayload, SendMessagePayload, TypingPayload } from '../chats/chats.schemas.js';
import type { StoredMessage } from '../chats/chat-delivery.js';
import type { ChatsService, SendReceiver } from '../chats/chats.service.js';
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
    const fail = (err: unknown) => failed(reply, err, event, socket, log);
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

/** Answers once; an ack that throws is logged, never thrown into Socket.IO. */
function answer(ack: Reply | null, response: object, event: string, socket: IoSocket, log: FastifyBaseLogger): void {
  if (ack === null) return;
  try {
    ack(response);
  } catch (ackError) {
    log.error({ err: ackError, event, userId: socket.data.userId, socketId: socket.id }, 'socket ack failed');
  }
}

/** An error ack for `err` (logged when unexpected), as `handle`'s `fail`. */
function failed(ack: Reply | null, err: unknown, event: string, socket: IoSocket, log: FastifyBaseLogger): void {
  const { ack: response, unexpected } = errorAck(err);
  if (unexpected) log.error({ err, event, userId: socket.data.userId, socketId: socket.id }, 'socket event failed');
  answer(ack, response, event, socket, log);
}

/** sendMessage after its checks: acked once stored (durably) with the presented message, which
 * the fan-out shares, or with the error. One object per message instead of a promise chain with
 * closures (ChatsService.submit). */
class SendAck implements SendReceiver {
  constructor(
    private readonly ack: Reply | null,
    private readonly socket: IoSocket,
    private readonly log: FastifyBaseLogger,
  ) {}

  sent(message: StoredMessage): void {
    if (this.ack === null) return;
    try {
      this.ack({ ok: true, message: presentMessage(message) });
    } catch (err) {
      // As `handle`: an ack that throws after a success is an unexpected failure of the event.
      this.log.error({ err, event: 'sendMessage', userId: this.socket.data.userId, socketId: this.socket.id }, 'socket event failed');
    }
  }

  failed(error: unknown): void {
    failed(this.ack, error, 'sendMessage', this.socket, this.log);
  }
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

    // The hot path: the same contract as `handle`, without its per-event closures and arrays.
    (socket as unknown as LooseSocket).on('sendMessage', (first?: unknown, second?: unknown, ...more: unknown[]) => {
      // The ack is the last argument when it is a function (almost always the second). A missing
      // argument is undefined, which a decoded packet never holds: `second === undefined` means
      // the client sent one argument.
      let ack: Reply | null = null;
      let payload: unknown = first;
      if (more.length > 0) {
        const last = more.at(-1);
        if (typeof last === 'function') ack = last as Reply;
      } else if (second !== undefined) {
        if (typeof second === 'function') ack = second as Reply;
      } else if (typeof first === 'function') {
        ack = first as Reply;
        payload = undefined;
      }
      try {
        if (!sends.take()) return answer(ack, { ok: false, error: RATE_LIMITED }, 'sendMessage', socket, log);
        const parsed = parseSend(payload);
        if (!parsed.ok) return answer(ack, { ok: false, error: parsed.error }, 'sendMessage', socket, log);
        const p = parsed.value;
        chats.submit(userId, { chatId: p.chat_id, content: p.content, clientMsgId: p.client_msg_id }, new SendAck(ack, socket, log));
      } catch (err) {
        failed(ack, err, 'sendMessage', socket, log);
      }
    });

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

import type { FastifyBaseLogger } from 'fastify';
import type { ChatDelivery, ReadMarkMoved, StoredMessage } from '../chats/chat-delivery.js';
import { presentMessage } from '../chats/chats.presenter.js';
import { DeliverySequencer, type GapFill } from './delivery-sequencer.js';
import { userRoom, type IoServer, type WireMessage } from './socket-events.js';

/** A predecessor stored less than this long before its successor may still be in flight. */
const RECENT_MS = 10_000;
/** Every process says it is there this often (one small publish)… */
export const PEER_HEARTBEAT_MS = 1_000;
/** …and a process that heard from no other for this long (nor started or reconnected to Redis
 * within it) publishes no fan-out: nobody else could deliver it. */
export const PEER_TIMEOUT_MS = 3_500;

/**
 * Whether another process may have sockets that want this one's fan-out. Processes greet each
 * other through the adapter (a hello at start, then a heartbeat every PEER_HEARTBEAT_MS); a
 * process alone skips the publish of every stored batch — and its own copy coming back from Redis,
 * which it would decode only to drop — so one process with REDIS_URL set costs what one without
 * does. It publishes anyway for PEER_TIMEOUT_MS after it starts and after its Redis subscription
 * comes back, the time a running peer needs to be heard; a new peer is heard before it serves
 * anyone, since its hello goes out while it starts, before it listens.
 */
export class PeerPresence {
  private lastHeardAt = -Infinity;
  private assumeUntil: number;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly io: IoServer,
    private readonly now: () => number = Date.now,
  ) {
    this.assumeUntil = now() + PEER_TIMEOUT_MS;
    io.on('chat:peer', () => this.heard());
    io.serverSideEmit('chat:peer');
    this.heartbeat = setInterval(() => io.serverSideEmit('chat:peer'), PEER_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Another process spoke (a heartbeat, or fan-out of its own). */
  heard(): void {
    this.lastHeardAt = this.now();
  }

  /** The Redis subscription was (re)established: peers may have come meanwhile, unheard. */
  resubscribed(): void {
    this.assumeUntil = this.now() + PEER_TIMEOUT_MS;
    this.io.serverSideEmit('chat:peer');
  }

  othersMayListen(): boolean {
    const now = this.now();
    return now < this.assumeUntil || now - this.lastHeardAt < PEER_TIMEOUT_MS;
  }

  close(): void {
    clearInterval(this.heartbeat);
  }
}

interface Item extends WireMessage {
  id: number;
  chatId: number;
}

/** A message from another process. */
const fromWire = (wire: WireMessage): Item => ({ ...wire, id: wire.message.message_id, chatId: wire.message.chat_id });

/** A message stored here: its item is also what goes over the wire (id and chatId ride along). */
const toItem = (m: StoredMessage): Item => ({
  message: presentMessage(m),
  memberIds: m.memberIds as [number, number], // never changed: shared, not copied
  prevId: m.prevId,
  prevRecent: m.prevSentMs !== null && m.sentAt.getTime() - m.prevSentMs < RECENT_MS,
  id: m.id,
  chatId: m.chatId,
});

/** Where a chat's messages between two ids are read from (the chat service, once it exists). */
export type StoredBetween = (chatId: number, afterId: number, beforeId: number) => Promise<StoredMessage[]>;

/**
 * Fan-out of chat events to sockets. `newMessage` goes to every socket of both members on every
 * process: each process hands its stored batches to the others in one inter-server event, and
 * every process (this one included) emits to its own sockets through the per-chat sequencer, so
 * sockets see each chat in message id order whichever process stored which message.
 */
export class SocketChatDelivery implements ChatDelivery {
  private storedBetween: StoredBetween | null = null;
  private readonly fill: GapFill<Item> = async (chatId, afterId, beforeId) => {
    if (!this.storedBetween) throw new Error('no message source yet');
    return (await this.storedBetween(chatId, afterId, beforeId)).map(toItem);
  };
  private readonly sequencer = new DeliverySequencer<Item>(
    (item) => {
      const [a, b] = item.memberIds;
      this.localOperator().to([userRoom(a), userRoom(b)]).emit('newMessage', item.message);
    },
    {
      waitMs: 250,
      idleMs: 30_000,
      onError: (err, chatId) => this.log.error({ err, chatId }, 'chat message delivery failed'),
    },
    this.fill,
  );

  /** With a cross-process adapter (Redis): who else is there; without, no one is. */
  readonly peers: PeerPresence | null;

  constructor(
    private readonly io: IoServer,
    /** True with a cross-process adapter (Redis); a lone process has no one to tell. */
    clustered: boolean,
    private readonly log: FastifyBaseLogger,
  ) {
    this.peers = clustered ? new PeerPresence(io) : null;
    if (clustered) {
      // Called from the adapter's Redis message handler: nothing may throw out of it.
      io.on('chat:newMessages', (batch: WireMessage[]) => {
        this.peers?.heard();
        try {
          for (const wire of batch) this.sequencer.accept(fromWire(wire));
        } catch (err) {
          this.log.error({ err }, 'chat messages from another process could not be delivered');
        }
      });
    }
  }

  /** `io.local`, built once per adapter instead of once per message (Socket.IO's operators are
   * immutable: `to` returns a new one). */
  private local: { adapter: unknown; operator: ReturnType<IoServer['local']['to']> } | null = null;

  private localOperator(): ReturnType<IoServer['local']['to']> {
    const adapter = this.io.sockets.adapter;
    if (this.local?.adapter !== adapter) this.local = { adapter, operator: this.io.local };
    return this.local.operator;
  }

  /** Lets the sequencer read messages whose fan-out never arrived (see delivery-sequencer.ts). */
  readFrom(source: StoredBetween): void {
    this.storedBetween = source;
  }

  messagesStored(messages: readonly StoredMessage[]): void {
    const batch = messages.map(toItem);
    if (this.peers?.othersMayListen()) this.io.serverSideEmit('chat:newMessages', batch);
    for (const item of batch) this.sequencer.accept(item);
  }

  readMarkMoved(e: ReadMarkMoved): void {
    this.io.to(userRoom(e.partnerId)).emit('messagesRead', { chat_id: e.chatId, user_id: e.readerId, message_id: e.messageId });
  }

  close(): void {
    this.peers?.close();
    this.sequencer.close();
  }
}

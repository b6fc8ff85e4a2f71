import { io, type Socket } from 'socket.io-client';
import { callApi, type ApiAnswer } from './device-api.js';
import type { Ledger, LoggedMessage } from './ledger.js';

/** A message as the server pushes it (`newMessage`) or lists it (catch-up pages). */
interface WireMessage {
  message_id: number;
  chat_id?: number;
  sender_id: number;
  content: string;
}

type Ack = { ok: true; message: WireMessage } | { ok: false; error: string };

/** What one device holds of one chat, in the order the messages reached the app. */
export interface Holding {
  ids: number[];
  seen: Set<number>;
  max: number;
}

export interface DeviceStats {
  connects: number;
  socketDeliveries: number;
  /** The same message_id pushed twice over one connection. */
  wireRepeats: number;
  /** A message already held when it arrived again (socket after catch-up, or the reverse): the
   * app drops it by message_id, as docs/api.md tells clients to. */
  redundant: number;
  catchUpRequests: number;
  catchUpMessages: number;
  /** Catch-up requests that failed (server or database down) and were retried. */
  catchUpRetries: number;
  /** A newMessage for a chat this user is not in: a leak. */
  foreignChat: number;
}

export interface DeviceOptions {
  ackTimeoutMs: number;
}

const TRANSIENT = /^(Internal server error|rate limited|Service unavailable|Service temporarily unavailable)/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Transient extends Error {}

interface Outgoing {
  message: LoggedMessage;
  transport: 'socket' | 'rest';
  inFlight: boolean;
}

/**
 * A simulated app on one phone, doing what docs/api.md asks of a client: one socket (WebSocket
 * transport) to whichever server the load balancer picks; on every (re)connect it catches up each
 * chat with `GET …/messages?after=<newest held id>` (socket pushes that arrive meanwhile wait
 * until the catch-up is applied), then resends every unacknowledged message with the SAME
 * client_msg_id. Sends are retried on an ack timeout or a transient error until acknowledged;
 * read marks likewise. Pushes are deduplicated by message_id and otherwise kept in arrival order,
 * so that the final check sees what a user would have seen.
 */
export class Device {
  readonly holdings = new Map<number, Holding>();
  readonly stats: DeviceStats = {
    connects: 0,
    socketDeliveries: 0,
    wireRepeats: 0,
    redundant: 0,
    catchUpRequests: 0,
    catchUpMessages: 0,
    catchUpRetries: 0,
    foreignChat: 0,
  };
  /** Unexpected answers (4xx other than the documented refusals): each one fails the run. */
  readonly errors: string[] = [];
  private socket: Socket | null = null;
  private state: 'offline' | 'connecting' | 'syncing' | 'live' | 'stopped' = 'offline';
  /** Bumped on every connection loss: callbacks of an older connection are ignored. */
  private generation = 0;
  private attempt = 0;
  private serverIndex: number;
  private buffered: WireMessage[] = [];
  private readonly outbox = new Map<string, Outgoing>();
  private readonly pendingReads = new Map<number, number>();
  private readonly readsInFlight = new Set<number>();

  constructor(
    readonly userId: number,
    private readonly token: string,
    readonly chats: ReadonlyMap<number, number>,
    private readonly servers: readonly string[],
    home: number,
    private readonly ledger: Ledger,
    private readonly options: DeviceOptions,
  ) {
    this.serverIndex = home;
    for (const chatId of chats.keys()) this.holdings.set(chatId, { ids: [], seen: new Set(), max: 0 });
  }

  get live(): boolean {
    return this.state === 'live';
  }

  /** Unacknowledged sends and unconfirmed read marks. */
  get pending(): number {
    return this.outbox.size + this.pendingReads.size;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.state = 'stopped';
    this.generation++;
    this.socket?.close();
    this.socket = null;
  }

  /** A network blip: the phone drops its connection and reconnects (maybe to another server). */
  blip(): void {
    if (this.state === 'live') this.socket?.disconnect();
  }

  send(message: LoggedMessage, transport: 'socket' | 'rest'): void {
    const outgoing: Outgoing = { message, transport, inFlight: false };
    this.outbox.set(message.key, outgoing);
    this.dispatch(outgoing);
  }

  /** Marks the chat read up to the newest message this device holds. */
  markRead(chatId: number): void {
    const max = this.holdings.get(chatId)!.max;
    if (max === 0) return;
    this.pendingReads.set(chatId, Math.max(max, this.pendingReads.get(chatId) ?? 0));
    this.flushRead(chatId, Math.random() < 0.2 ? 'rest' : 'socket');
  }

  /** What an app does when it comes back to the foreground: catch every chat up, then go on. */
  async resync(): Promise<void> {
    if (this.state !== 'live') return;
    await this.sync(this.generation);
  }

  /** GET /api/chats through this device's server, retried through outages. */
  async chatList(): Promise<Array<{ chat_id: number; unread_count: number; last_message: { message_id: number } | null }>> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.api('GET', '/api/chats');
      if (res?.status === 200) return res.body;
      if (attempt >= 5 || (res && res.status < 500)) throw new Error(`GET /api/chats: ${res?.status ?? 'no answer'} ${res?.text ?? ''}`);
      await sleep(300);
    }
  }

  private api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer | null> {
    return callApi(this.serverUrl, this.token, method, path, body, this.options.ackTimeoutMs);
  }

  private get serverUrl(): string {
    return this.servers[this.serverIndex % this.servers.length]!;
  }

  private connect(): void {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    const generation = this.generation;
    const socket = io(this.serverUrl, {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    this.socket = socket;
    const seenOnThisConnection = new Set<number>();
    socket.on('newMessage', (m: WireMessage) => this.onPush(m, generation, seenOnThisConnection));
    socket.once('connect', () => {
      this.attempt = 0;
      this.stats.connects++;
      void this.sync(generation);
    });
    socket.once('connect_error', () => this.lost(socket));
    socket.once('disconnect', () => this.lost(socket));
  }

  private lost(socket: Socket): void {
    socket.close();
    if (this.socket !== socket || this.state === 'stopped') return;
    this.socket = null;
    this.generation++;
    this.state = 'offline';
    for (const o of this.outbox.values()) o.inFlight = false;
    this.readsInFlight.clear();
    this.buffered = [];
    // The next attempt goes to the other server first (a balancer skipping a dead node), with
    // exponential backoff and jitter as mobile SDKs do.
    this.attempt++;
    this.serverIndex++;
    const delay = Math.min(2000, 50 * 2 ** Math.min(this.attempt, 6)) * (0.5 + Math.random());
    setTimeout(() => this.connect(), delay);
  }

  private onPush(m: WireMessage, generation: number, seenOnThisConnection: Set<number>): void {
    if (generation !== this.generation) return;
    this.stats.socketDeliveries++;
    if (seenOnThisConnection.has(m.message_id)) this.stats.wireRepeats++;
    seenOnThisConnection.add(m.message_id);
    if (this.state === 'syncing') this.buffered.push(m);
    else this.apply(m.chat_id!, m);
  }

  private apply(chatId: number, m: WireMessage): void {
    const holding = this.holdings.get(chatId);
    if (!holding) {
      this.stats.foreignChat++;
      return;
    }
    if (holding.seen.has(m.message_id)) {
      this.stats.redundant++;
      return;
    }
    holding.seen.add(m.message_id);
    holding.ids.push(m.message_id);
    holding.max = Math.max(holding.max, m.message_id);
  }

  private async sync(generation: number): Promise<void> {
    this.state = 'syncing';
    try {
      for (const chatId of this.chats.keys()) await this.catchUp(chatId, generation);
    } catch (error) {
      if (error instanceof Transient) return; // the connection went; the next one syncs again
      throw error;
    }
    if (generation !== this.generation) return;
    const buffered = this.buffered;
    this.buffered = [];
    for (const m of buffered) this.apply(m.chat_id!, m);
    this.state = 'live';
    for (const o of this.outbox.values()) this.dispatch(o);
    for (const chatId of this.pendingReads.keys()) this.flushRead(chatId, 'socket');
  }

  /** Every message newer than the newest held one, oldest first; a chat never opened on this
   * device is loaded newest first with `before` and applied oldest first. */
  private async catchUp(chatId: number, generation: number): Promise<void> {
    const holding = this.holdings.get(chatId)!;
    if (holding.max > 0) {
      for (;;) {
        const page = await this.history(chatId, `after=${holding.max}&limit=100`, generation);
        for (const m of page) this.apply(chatId, m);
        if (page.length < 100) return;
      }
    }
    const pages: WireMessage[] = [];
    for (let before = ''; ; ) {
      const page = await this.history(chatId, `limit=100${before}`, generation);
      pages.push(...page);
      if (page.length < 100) break;
      before = `&before=${page.at(-1)!.message_id}`;
    }
    for (const m of pages.reverse()) this.apply(chatId, m);
  }

  /** One history page, retried while the connection that asked for it lasts. */
  private async history(chatId: number, query: string, generation: number): Promise<WireMessage[]> {
    for (;;) {
      if (generation !== this.generation) throw new Transient('connection lost');
      this.stats.catchUpRequests++;
      const res = await this.api('GET', `/api/chats/${chatId}/messages?${query}`);
      if (res?.status === 200) {
        this.stats.catchUpMessages += res.body.length;
        return res.body as WireMessage[];
      }
      if (res && res.status < 500) {
        // Not retried: a refusal will not change; the messages it hid count as lost.
        this.errors.push(`GET history of chat ${chatId}: ${res.status} ${res.text}`);
        return [];
      }
      // No answer (server or database down, connection cut, timeout): retried below.
      this.stats.catchUpRetries++;
      await sleep(200 + Math.random() * 300);
    }
  }

  private dispatch(o: Outgoing): void {
    if (o.inFlight || this.state !== 'live' || !this.outbox.has(o.message.key)) return;
    o.inFlight = true;
    const m = o.message;
    m.attempts++;
    if (m.attempts > 1) this.ledger.retries++;
    const generation = this.generation;
    const payload = { chat_id: m.chatId, content: m.content, client_msg_id: m.key };
    if (o.transport === 'socket') {
      this.socket!.timeout(this.options.ackTimeoutMs).emit('sendMessage', payload, (err: Error | null, ack: Ack) =>
        this.settle(o, generation, err ? null : ack),
      );
      return;
    }
    this.ledger.restSends++;
    void this.postMessage(payload).then((ack) => this.settle(o, generation, ack));
  }

  private async postMessage(payload: { chat_id: number; content: string; client_msg_id: string }): Promise<Ack | null> {
    const body = { content: payload.content, client_msg_id: payload.client_msg_id };
    const res = await this.api('POST', `/api/chats/${payload.chat_id}/messages`, body);
    if (res?.status === 201) return { ok: true, message: res.body };
    // No answer, a 5xx or a 429: the message may or may not be stored; the retry settles it.
    if (!res || res.status >= 500 || res.status === 429) return null;
    return { ok: false, error: `${res.status} ${res.body?.error ?? res.text}` };
  }

  /** `ack` null: no answer (timeout, connection cut) or a transient error; retried. */
  private settle(o: Outgoing, generation: number, ack: Ack | null): void {
    const m = o.message;
    if (ack?.ok) {
      // Even an answer to an earlier attempt counts: all answers for one key must agree.
      this.ledger.acked(m.key, ack.message.message_id);
      this.outbox.delete(m.key);
      return;
    }
    if (ack && !TRANSIENT.test(ack.error)) {
      m.refused = ack.error;
      this.outbox.delete(m.key);
      return;
    }
    this.ledger.transientErrors++;
    if (generation !== this.generation) return; // the reconnect resends it
    setTimeout(() => {
      o.inFlight = false;
      if (generation === this.generation) this.dispatch(o);
    }, 200 + Math.random() * 300);
  }

  private flushRead(chatId: number, transport: 'socket' | 'rest'): void {
    const messageId = this.pendingReads.get(chatId);
    if (messageId === undefined || this.state !== 'live' || this.readsInFlight.has(chatId)) return;
    this.readsInFlight.add(chatId);
    const generation = this.generation;
    const done = (ok: boolean) => {
      if (generation !== this.generation) return;
      this.readsInFlight.delete(chatId);
      if (ok) {
        this.ledger.readConfirmed(this.userId, chatId, messageId);
        if (this.pendingReads.get(chatId) === messageId) this.pendingReads.delete(chatId);
      }
      if (this.pendingReads.has(chatId)) setTimeout(() => this.flushRead(chatId, 'socket'), ok ? 0 : 300);
    };
    if (transport === 'socket') {
      this.socket!.timeout(this.options.ackTimeoutMs).emit('markRead', { chat_id: chatId, message_id: messageId }, (err: Error | null, ack: Ack) => {
        if (ack && !ack.ok && !TRANSIENT.test(ack.error)) this.errors.push(`markRead chat ${chatId}: ${ack.error}`);
        done(!err && ack.ok);
      });
      return;
    }
    void this.api('POST', `/api/chats/${chatId}/read`, { message_id: messageId }).then((res) => {
      if (res && res.status !== 204 && res.status < 500) this.errors.push(`POST read chat ${chatId}: ${res.status} ${res.text}`);
      done(res?.status === 204);
    });
  }
}

import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { RouteStats } from './route-stats.js';

type Ack = { ok: true; message?: { message_id: number } } | { ok: false; error: string };

interface Person {
  user_id: number;
}

/** What a user does next, with how often a real app session does it (weights). */
const ACTIONS = [
  ['openChatList', 14],
  ['openChat', 10],
  ['sendSocket', 28],
  ['sendRest', 4],
  ['readSocket', 8],
  ['readRest', 3],
  ['typing', 6],
  ['recommendations', 8],
  ['request', 5],
  ['inbox', 6],
  ['profile', 4],
  ['compatibility', 2],
  ['me', 2],
] as const;
type Action = (typeof ACTIONS)[number][0];
const TOTAL_WEIGHT = ACTIONS.reduce((s, [, w]) => s + w, 0);

function pickAction(): Action {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [action, weight] of ACTIONS) if ((r -= weight) < 0) return action;
  return 'openChatList';
}

const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(Math.random() * list.length)];

/**
 * One person using the app: connected over Socket.IO (WebSocket) the whole time, and between
 * think times doing one thing at a time — browse today's recommendations and send requests, look
 * at received requests and accept or decline them, open the chat list and a chat, send messages
 * (mostly over the socket, sometimes through the REST fallback), mark chats read, type, look at a
 * profile or a compatibility breakdown. Every answer is checked against what the API promises.
 */
export class SoakUser {
  private socket: Socket | null = null;
  private chats: number[] = [];
  private partners = new Map<number, number>();
  private candidates: number[] = [];
  private recommended = false;
  private sequence = 0;

  constructor(
    private readonly base: string,
    private readonly token: string,
    readonly userId: number,
    private stats: RouteStats,
  ) {}

  /** Set-up (log in, connect, first chat list) is counted apart from the measured run. */
  useStats(stats: RouteStats): void {
    this.stats = stats;
  }

  async connect(): Promise<void> {
    const socket = io(this.base, { auth: { token: this.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on('matchAccepted', (e: { chat_id: number; partner: Person }) => this.addChat(e.chat_id, e.partner.user_id));
    socket.on('newMessage', (m: { sender_id: number; content: string }) => {
      if (m.sender_id === this.userId) return;
      // The sender put its clock in the text: delivery latency to the partner (same machine).
      const sentAt = Number(m.content.slice(0, m.content.indexOf(' ')));
      if (Number.isFinite(sentAt)) this.stats.pushed('WS newMessage delivered to partner', performance.timeOrigin + performance.now() - sentAt);
    });
    socket.on('disconnect', (reason: string) => {
      if (reason !== 'io client disconnect') this.stats.error('WS connection', `disconnected: ${reason}`);
    });
    this.socket = socket;
    await this.openChatList();
  }

  close(): void {
    this.socket?.close();
  }

  async step(): Promise<void> {
    await this[pickAction()]();
  }

  private addChat(chatId: number, partnerId: number): void {
    if (!this.partners.has(chatId)) this.chats.push(chatId);
    this.partners.set(chatId, partnerId);
  }

  /** One REST call, timed; `expected` are the statuses the scenario counts as success. */
  private async http<T>(route: string, method: string, path: string, body?: unknown, expected = [200], known: number[] = []): Promise<T | null> {
    const start = performance.now();
    try {
      const res = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      const ms = performance.now() - start;
      if (expected.includes(res.status)) {
        this.stats.ok(route, ms);
        return (text ? JSON.parse(text) : null) as T;
      }
      if (known.includes(res.status)) this.stats.refused(route, res.status);
      else this.stats.error(route, `${res.status} ${text.slice(0, 200)}`);
    } catch (error) {
      this.stats.error(route, error instanceof Error ? error.message : String(error));
    }
    return null;
  }

  /** One socket event with its acknowledgement, timed; anything but `{ ok: true }` is an error. */
  private async emit(event: string, payload: object): Promise<Ack | null> {
    const route = `WS ${event}`;
    const start = performance.now();
    try {
      const ack = (await this.socket!.timeout(30_000).emitWithAck(event, payload)) as Ack;
      if (ack.ok) this.stats.ok(route, performance.now() - start);
      else this.stats.error(route, ack.error);
      return ack;
    } catch (error) {
      this.stats.error(route, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  private async openChatList(): Promise<void> {
    const list = await this.http<Array<{ chat_id: number; partner: Person }>>('GET /api/chats', 'GET', '/api/chats');
    for (const c of list ?? []) this.addChat(c.chat_id, c.partner.user_id);
  }

  private async openChat(): Promise<void> {
    const chatId = pick(this.chats);
    if (chatId !== undefined) await this.http('GET /api/chats/:id/messages', 'GET', `/api/chats/${chatId}/messages?limit=30`);
  }

  private text(): string {
    return `${performance.timeOrigin + performance.now()} 안녕하세요, 오늘 사주 궁합이 좋대요 ${++this.sequence}`;
  }

  private async sendSocket(): Promise<void> {
    const chatId = pick(this.chats);
    if (chatId === undefined) return;
    const content = this.text();
    await this.emit('sendMessage', { chat_id: chatId, content, client_msg_id: `${this.userId}-${this.sequence}` });
  }

  private async sendRest(): Promise<void> {
    const chatId = pick(this.chats);
    if (chatId === undefined) return;
    const content = this.text();
    const body = { content, client_msg_id: `${this.userId}-${this.sequence}` };
    await this.http('POST /api/chats/:id/messages', 'POST', `/api/chats/${chatId}/messages`, body, [201]);
  }

  private async readSocket(): Promise<void> {
    const chatId = pick(this.chats);
    if (chatId !== undefined) await this.emit('markRead', { chat_id: chatId });
  }

  private async readRest(): Promise<void> {
    const chatId = pick(this.chats);
    if (chatId !== undefined) await this.http('POST /api/chats/:id/read', 'POST', `/api/chats/${chatId}/read`, {}, [204]);
  }

  private async typing(): Promise<void> {
    const chatId = pick(this.chats);
    if (chatId !== undefined) await this.emit('typing', { chat_id: chatId });
  }

  private async recommendations(): Promise<void> {
    // The first call of the (Korean) day builds and stores the user's daily set; later calls read
    // it back: two costs, timed apart.
    const route = `GET /api/matches/recommendations${this.recommended ? '' : ' (first today)'}`;
    this.recommended = true;
    const people = await this.http<Person[]>(route, 'GET', '/api/matches/recommendations?limit=10');
    if (people) this.candidates = people.map((p) => p.user_id);
  }

  /** A request to someone from today's recommendations. The list may be older than a match row
   * made since (they requested us and we accepted or declined): that 409 is the one refusal a real
   * app meets here. */
  private async request(): Promise<void> {
    const receiverId = this.candidates.shift();
    if (receiverId === undefined) return this.recommendations();
    const res = await this.http<{ status: string; chat_id?: number }>('POST /api/matches/request', 'POST', '/api/matches/request', { receiver_id: receiverId }, [201], [409]);
    if (res?.status === 'matched' && res.chat_id) this.addChat(res.chat_id, receiverId);
  }

  /** Received requests: accept most, decline some. */
  private async inbox(): Promise<void> {
    const received = await this.http<Array<{ match_id: number; partner: Person }>>(
      'GET /api/matches',
      'GET',
      '/api/matches?direction=received&status=requested',
    );
    const first = received?.[0];
    if (!first) return;
    if (Math.random() < 0.75) {
      const res = await this.http<{ chat_id: number }>('POST /api/matches/:id/accept', 'POST', `/api/matches/${first.match_id}/accept`);
      if (res) this.addChat(res.chat_id, first.partner.user_id);
    } else {
      await this.http('POST /api/matches/:id/decline', 'POST', `/api/matches/${first.match_id}/decline`);
    }
  }

  private async profile(): Promise<void> {
    const partner = pick([...this.partners.values()]) ?? pick(this.candidates);
    if (partner !== undefined) await this.http('GET /api/users/:id', 'GET', `/api/users/${partner}`);
  }

  private async compatibility(): Promise<void> {
    const other = pick(this.candidates) ?? pick([...this.partners.values()]);
    if (other !== undefined) await this.http('GET /api/matches/compatibility/:id', 'GET', `/api/matches/compatibility/${other}`);
  }

  private async me(): Promise<void> {
    await this.http('GET /api/users/me', 'GET', '/api/users/me');
  }
}

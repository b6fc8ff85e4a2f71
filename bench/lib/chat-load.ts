import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { percentile } from './stats.js';

/** One bench user: its socket, its own user id and the chat it talks in. */
export interface Member {
  socket: Socket;
  userId: number;
  chatId: number;
}

interface Delivery {
  sentAt: number;
}

/** Called for every newMessage a member receives from its partner (not its own echo). */
let onDelivery: (d: Delivery) => void = () => {};

export async function connectMembers(
  url: string,
  specs: { auth: Record<string, unknown>; userId: number; chatId: number }[],
  concurrency = 100,
): Promise<Member[]> {
  const members: Member[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const spec = specs[i]!;
      const socket = io(url, { auth: spec.auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      socket.on('newMessage', (m: { sender_id: number; content: string }) => {
        if (m.sender_id !== spec.userId) onDelivery({ sentAt: Number(m.content.slice(0, m.content.indexOf(' '))) });
      });
      members[i] = { socket, userId: spec.userId, chatId: spec.chatId };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return members;
}

export function closeMembers(members: Member[]): void {
  for (const m of members) m.socket.close();
}

let sequence = 0;
// Like a real client: every message carries its idempotency key.
const send = (m: Member, onAck?: () => void) =>
  m.socket.emit(
    'sendMessage',
    { chat_id: m.chatId, content: `${performance.now()} bench message`, client_msg_id: `${m.userId}-${++sequence}` },
    (ack: { ok: boolean; error?: string }) => {
      if (!ack.ok) throw new Error(`send refused: ${ack.error}`);
      onAck?.();
    },
  );

export interface LoadResult {
  /** Messages delivered to the partner per second. */
  rate: number;
  /** All deliveries, the drain after the measured window included (for CPU per message). */
  delivered?: number;
  p50: number;
  p99: number;
}

/** Closed loop: every member keeps `window` sends in flight for `seconds`. */
export async function saturate(members: Member[], seconds: number, window: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let running = true;
  let delivered = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  onDelivery = (d) => {
    const now = performance.now();
    delivered += 1;
    if (now <= end) latencies.push(now - d.sentAt);
  };
  const loop = (m: Member) => {
    if (running) send(m, () => loop(m));
  };
  for (const m of members) for (let w = 0; w < window; w++) loop(m);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  await new Promise((r) => setTimeout(r, 1000)); // drain what is in flight
  onDelivery = () => {};
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered };
}

/** Open loop: `rate` messages per second in total, spread over the members, for `seconds`. */
export async function steady(members: Member[], seconds: number, rate: number): Promise<LoadResult & { sent: number }> {
  const latencies: number[] = [];
  onDelivery = (d) => latencies.push(performance.now() - d.sentAt);
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), seconds * rate);
      while (sent < due) send(members[sent++ % members.length]!);
      if (sent >= seconds * rate) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await new Promise((r) => setTimeout(r, 1000));
  onDelivery = () => {};
  return { sent, rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

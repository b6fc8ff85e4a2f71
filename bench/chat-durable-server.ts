import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Server } from 'socket.io';
import { memberRooms } from './lib/chat-rooms.js';
import { DURABLE_FLOOR_APPLICATION } from './lib/cpu.js';

// A floor for `npm run bench -- chat`'s steady latency: the fewest steps that keep the app's two
// costliest promises — the ack only after the message is durably stored in PostgreSQL, and Socket.IO
// on the Redis adapter — written by hand: the messages stored by one INSERT … RETURNING through `pg` (a named
// statement, batched like the app's writer), then the ack and the broadcast to both members' rooms
// on this process (`io.local`, as the app does when no other node has a receiver). No validation,
// authentication, rate limit, idempotency look-up, per-chat ordering or push outbox.
// It writes to its own table, shaped like `messages` (LIKE … INCLUDING ALL: identity, defaults,
// indexes, the idempotency key's unique index; no foreign keys), so that the app's per-chat
// ordering, which links each stored message to its chat's previous one, never sees these rows.
// Users and chats follow the bench's numbering: chat c has members 2c-1 and 2c.
// One writer connection, one statement in flight: what arrives during a commit goes into the next
// one (an INSERT of the batch through unnest), as the app's writer batches; one INSERT per message
// over a pool of 10 connections measured a steady p99 of 44–107 ms in one run (2026-12-04 03:41),
// worse than the app's, so the floor batches as the app does.
const writer = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: DURABLE_FLOOR_APPLICATION });
await writer.connect();
await writer.query('CREATE TABLE IF NOT EXISTS bench_durable_messages (LIKE messages INCLUDING ALL)');

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });
const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? [new Redis(redisUrl), new Redis(redisUrl)] : [];
if (redis.length === 2) io.adapter(createAdapter(redis[0], redis[1], { key: `${process.env.BENCH_ADAPTER_KEY ?? 'bench'}-durable` }));

interface Draft {
  chatId: number;
  senderId: number;
  content: string;
  clientMsgId: string | null;
  ack: (r: unknown) => void;
}
const insert = {
  name: 'bench_durable_insert',
  text:
    'INSERT INTO bench_durable_messages (chat_id, sender_id, content, client_msg_id) ' +
    'SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) RETURNING id, sent_at',
};
let queue: Draft[] = [];
let writing = false;

async function write(): Promise<void> {
  writing = true;
  while (queue.length > 0) {
    const batch = queue;
    queue = [];
    try {
      const { rows } = await writer.query<{ id: number; sent_at: Date }>({
        ...insert,
        values: [batch.map((d) => d.chatId), batch.map((d) => d.senderId), batch.map((d) => d.content), batch.map((d) => d.clientMsgId)],
      });
      // An INSERT … SELECT from unnest returns its rows in the array's order.
      batch.forEach((d, i) => {
        const row = rows[i]!;
        const message = {
          message_id: row.id,
          chat_id: d.chatId,
          sender_id: d.senderId,
          content: d.content,
          sent_at: row.sent_at.toISOString(),
          client_msg_id: d.clientMsgId,
        };
        d.ack({ ok: true, message });
        io.local.to(memberRooms(d.chatId)).emit('newMessage', message);
      });
    } catch (error) {
      for (const d of batch) d.ack({ ok: false, error: String(error) });
    }
  }
  writing = false;
}

io.on('connection', (socket) => {
  const senderId = Number(socket.handshake.auth.userId);
  void socket.join(`user:${senderId}`);
  socket.on('sendMessage', (payload: { chat_id: number; content: string; client_msg_id?: string }, ack: (r: unknown) => void) => {
    queue.push({ chatId: payload.chat_id, senderId, content: payload.content, clientMsgId: payload.client_msg_id ?? null, ack });
    if (!writing) void write();
  });
});
http.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('LISTENING'));
process.on('SIGTERM', () => process.exit(0));

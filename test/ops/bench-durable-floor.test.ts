import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { randomPort, startProcess, stopProcess } from '../../bench/lib/processes.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { POSTGRES_URL, REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';

// The chat bench's durable floor (bench/chat-durable-server.ts) is a baseline: it must do what it
// says — ack only a stored message, with the stored id, deliver it to both members, batch what
// arrives during a commit without mixing up which row is whose — or the floor it prints is wrong.
const skip = await skipUnlessServices('test/ops/bench-durable-floor.test.ts', 'postgres', 'redis');

interface Ack {
  ok: boolean;
  error?: string;
  message?: { message_id: number; chat_id: number; sender_id: number; content: string; client_msg_id: string | null };
}

describe('bench: the chat durable floor server', { skip }, () => {
  let database: TestDatabase;
  let server: ChildProcess;
  let sockets: Socket[] = [];
  let rows: pg.Client;

  before(async () => {
    database = await freshPostgresDatabase(POSTGRES_URL);
    const port = randomPort();
    server = await startProcess('bench/chat-durable-server.ts', {
      DATABASE_URL: database.url!,
      REDIS_URL: REDIS_TEST_URL,
      BENCH_ADAPTER_KEY: `test-floor-${process.pid}`,
      PORT: String(port),
    });
    // Chat 1: users 1 and 2; chat 2: users 3 and 4.
    sockets = [1, 2, 3, 4].map((userId) => io(`http://127.0.0.1:${port}`, { auth: { userId }, transports: ['websocket'], forceNew: true }));
    await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', () => resolve(undefined)))));
    rows = new pg.Client({ connectionString: database.url });
    await rows.connect();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await rows?.end();
    if (server) await stopProcess(server);
    await database?.close();
  });

  const send = (s: Socket, chatId: number, content: string, clientMsgId: string) =>
    new Promise<Ack>((resolve) => s.emit('sendMessage', { chat_id: chatId, content, client_msg_id: clientMsgId }, resolve));

  it('acks with the stored row and delivers it to both members, not to another chat', async () => {
    const received: { user: number; content: string }[] = [];
    sockets.forEach((s, i) => s.on('newMessage', (m: { content: string }) => received.push({ user: i + 1, content: m.content })));
    const ack = await send(sockets[0]!, 1, 'hello floor', 'c-1');
    assert.equal(ack.ok, true, ack.error);
    const { rows: stored } = await rows.query('SELECT id, chat_id, sender_id, content, client_msg_id FROM bench_durable_messages');
    assert.deepEqual(stored, [{ id: ack.message!.message_id, chat_id: 1, sender_id: 1, content: 'hello floor', client_msg_id: 'c-1' }]);
    const { rows: appRows } = await rows.query('SELECT count(*)::int AS n FROM messages');
    assert.equal(appRows[0].n, 0, 'the floor never writes the app’s messages table');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      received.sort((a, b) => a.user - b.user),
      [
        { user: 1, content: 'hello floor' },
        { user: 2, content: 'hello floor' },
      ],
    );
  });

  it('stores a burst in batches and answers every sender with its own row', async () => {
    const sends = Array.from({ length: 200 }, (_, i) => send(sockets[i % 4]!, i % 4 < 2 ? 1 : 2, `burst ${i}`, `b-${i}`));
    const acks = await Promise.all(sends);
    const { rows: stored } = await rows.query<{ id: number; sender_id: number; content: string; client_msg_id: string }>(
      "SELECT id, sender_id, content, client_msg_id FROM bench_durable_messages WHERE client_msg_id LIKE 'b-%'",
    );
    assert.equal(stored.length, 200);
    const byId = new Map(stored.map((r) => [r.id, r]));
    acks.forEach((ack, i) => {
      assert.equal(ack.ok, true, ack.error);
      const row = byId.get(ack.message!.message_id);
      assert.deepEqual(row, { id: ack.message!.message_id, sender_id: (i % 4) + 1, content: `burst ${i}`, client_msg_id: `b-${i}` });
    });
  });

  it('answers { ok: false } when the store fails (a repeated idempotency key)', async () => {
    const ack = await send(sockets[0]!, 1, 'again', 'c-1');
    assert.equal(ack.ok, false);
    assert.match(ack.error ?? '', /duplicate key/);
  });
});

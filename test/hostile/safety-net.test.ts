import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { EventBus } from '../../src/lib/events.js';
import { UNCAUGHT_EXIT_CODE } from '../../src/lib/process-safety.js';
import { DeliverySequencer, type Sequenced } from '../../src/realtime/delivery-sequencer.js';

function run(mode: string): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/hostile/fixtures/safety-net-process.ts', mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines });
    }),
  );
}

describe('process safety net', () => {
  it('an uncaught exception is logged with its context, then the process drains and exits non-zero', async () => {
    const { code, lines } = await run('throw');
    assert.equal(code, UNCAUGHT_EXIT_CODE);
    assert.notEqual(code, 0);
    const fatal = lines.find((l) => l.level === 'fatal');
    assert.ok(fatal, JSON.stringify(lines));
    assert.match(String(fatal.err), /bug in a timer/);
    assert.equal(fatal.role, 'fixture');
    assert.equal(fatal.origin, 'uncaughtException');
    assert.deepEqual(lines.at(-1), { msg: 'drained', reason: 'uncaughtException', code: UNCAUGHT_EXIT_CODE });
  });

  it('an unhandled rejection is logged and the process goes on', async () => {
    const { code, lines } = await run('rejection');
    assert.equal(code, 0);
    const error = lines.find((l) => l.level === 'error');
    assert.match(String(error?.err), /nobody awaited me/);
    assert.deepEqual(lines.at(-1), { msg: 'still serving' });
  });
});

describe('guarded callbacks', () => {
  it('a throwing or rejecting event subscriber is reported and the other subscribers still hear the event', async () => {
    const bus = new EventBus();
    const failures: [string, string][] = [];
    bus.onSubscriberError((err, event) => failures.push([event, (err as Error).message]));
    const heard: number[] = [];
    bus.subscribe('userDeleted', () => {
      throw new Error('sync boom');
    });
    bus.subscribe('userDeleted', async () => {
      throw new Error('async boom');
    });
    bus.subscribe('userDeleted', (e) => heard.push(e.userId));
    bus.publish('userDeleted', { userId: 7 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(heard, [7]);
    assert.deepEqual(failures.sort(), [
      ['userDeleted', 'async boom'],
      ['userDeleted', 'sync boom'],
    ]);
  });

  it('a failing delivery is reported and does not stop the chat line; the wait timer never throws', async () => {
    const out: number[] = [];
    const errors: number[] = [];
    const s = new DeliverySequencer<Sequenced>(
      (m) => {
        if (m.id === 2) throw new Error('socket layer bug');
        out.push(m.id);
      },
      { waitMs: 10, idleMs: 60_000, onError: (_err, chatId) => errors.push(chatId) },
      async () => {
        throw new Error('database down');
      },
    );
    s.accept({ id: 1, chatId: 5, prevId: null, prevRecent: false });
    s.accept({ id: 2, chatId: 5, prevId: 1, prevRecent: true });
    s.accept({ id: 3, chatId: 5, prevId: 2, prevRecent: true });
    // Held behind a gap: the timer's fill fails, it retries, then flushes in order.
    s.accept({ id: 6, chatId: 5, prevId: 5, prevRecent: true });
    await new Promise((r) => setTimeout(r, 400));
    s.close();
    assert.deepEqual(out, [1, 3, 6]);
    assert.deepEqual(errors, [5]);
  });
});

describe('socket event handlers', () => {
  it('whatever a handler throws becomes an error ack and a log line naming the socket user', async () => {
    const { EventEmitter } = await import('node:events');
    const { chatSocketHandlers } = await import('../../src/realtime/chat.socket.js');
    const logged: Record<string, unknown>[] = [];
    const log = { error: (context: object) => logged.push(context as Record<string, unknown>) };
    const chats = {
      submit() {
        throw new TypeError('bug in send');
      },
      async markRead() {
        throw new RangeError('Maximum call stack size exceeded');
      },
      async typingPartner() {
        return 2;
      },
    };
    const socket = Object.assign(new EventEmitter(), {
      id: 'sock-1',
      data: { userId: 41, sessionId: 1, expiresAt: Date.now() + 60_000 },
      to() {
        throw new Error('adapter bug');
      },
      onAny() {},
    });
    const limits = { sendBurst: 10, sendPerSecond: 10, eventBurst: 10, eventPerSecond: 10 };
    chatSocketHandlers(chats as never, limits, log as never)(socket as never);
    const ack = (event: string, payload: unknown) =>
      new Promise((resolve) => socket.emit(event, payload, resolve));
    const failed = { ok: false, error: 'Internal server error' };
    assert.deepEqual(await ack('sendMessage', { chat_id: 1, content: 'hi' }), failed);
    assert.deepEqual(await ack('markRead', { chat_id: 1 }), failed);
    assert.deepEqual(await ack('typing', { chat_id: 1 }), failed);
    assert.deepEqual(
      logged.map((l) => [l.event, l.userId, l.socketId, (l.err as Error).message]),
      [
        ['sendMessage', 41, 'sock-1', 'bug in send'],
        ['markRead', 41, 'sock-1', 'Maximum call stack size exceeded'],
        ['typing', 41, 'sock-1', 'adapter bug'],
      ],
    );
  });
});

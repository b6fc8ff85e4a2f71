import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { closeSockets, connect, eventually, nextEvent, request } from '../helpers/socket.js';
import { INTERNAL_PATTERNS, leaks, scrub, stringsOf } from './lib/checks.js';
import { changedTables, snapshotter, tablesOf, type Snapshot } from './lib/db-snapshot.js';
import { deepNest, EXTRA_KEYS, hostileJson, INJECTION_STRINGS, UNICODE_STRINGS } from './lib/values.js';
import { buildWorld, type World } from './lib/world.js';

/**
 * Socket.IO fuzzer: malformed payloads for every client event (docs/api.md "Real time":
 * sendMessage, markRead, typing), with and without acknowledgement callbacks, over WebSocket and
 * HTTP long-polling, plus unknown events and raw Socket.IO frames. Every ack must be exactly
 * `{ ok: false, error: string }` (never "Internal server error", never a stack or SQL text); the
 * fuzzing sockets and every other client stay connected, nobody receives anything because of a
 * refused event, the database is unchanged by them, and other people's chat goes on meanwhile.
 *
 * FUZZ_SOCKET_EVENTS (default 3000) sets the number of events, FUZZ_SEED replays a run.
 */
const EVENTS = Number(process.env.FUZZ_SOCKET_EVENTS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const BATCH = 50;

let t: TestApp;
let w: World;
let snapshot: () => Promise<Snapshot>;
let fWs: Socket;
let fPoll: Socket;
let pSock: Socket;
let aSock: Socket;
let bSock: Socket;
const disconnects: string[] = [];
/** Everything P, A and B receive. */
const received: Array<{ who: string; event: string; payload: unknown }> = [];
/** Messages A sent meanwhile (the only thing A and B may receive). */
const exchanged = new Set<number>();
const problems = new Map<string, string>();
let acked = 0;
let sent = 0;

before(async () => {
  // The per-socket rate limits would answer most of a flood with "rate limited" before the
  // payload is even looked at: raise them, so that every event reaches validation.
  const unlimited = { sendBurst: 1e9, sendPerSecond: 1e9, eventBurst: 1e9, eventPerSecond: 1e9 };
  t = await startTestApp({}, { realtime: unlimited });
  w = await buildWorld(t);
  snapshot = snapshotter(t.database.db, await tablesOf(t.database.db));
  fWs = await connect(t.baseUrl, w.f.accessToken);
  fPoll = await connect(t.baseUrl, w.f.accessToken, { transports: ['polling'] });
  pSock = await connect(t.baseUrl, w.p.accessToken);
  aSock = await connect(t.baseUrl, w.a.accessToken);
  bSock = await connect(t.baseUrl, w.b.accessToken);
  for (const [who, socket] of [['F/ws', fWs], ['F/polling', fPoll], ['P', pSock], ['A', aSock], ['B', bSock]] as const) {
    socket.on('disconnect', (reason) => disconnects.push(`${who}: ${reason}`));
    if (who === 'P' || who === 'A' || who === 'B') {
      socket.onAny((event: string, payload: unknown) => received.push({ who, event, payload }));
    }
  }
  console.log(`# socket fuzz: FUZZ_SOCKET_EVENTS=${EVENTS} FUZZ_SEED=${SEED}`);
});

after(async () => {
  await closeSockets();
  await t?.close();
});

type EventName = 'sendMessage' | 'markRead' | 'typing';

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
const storable = (s: string) => !s.includes('\u0000') && !/\p{Cs}/u.test(s);
const codePoints = (s: string) => [...s].length;
const onlyKeys = (o: Record<string, unknown>, allowed: string[]) => Object.keys(o).every((k) => allowed.includes(k));

/** The contract's rules for an event F may send (F is a member of chat FP only). */
function acceptable(event: EventName, payload: unknown): boolean {
  if (!isPlainObject(payload)) return false;
  if (payload.chat_id !== w.chatFP) return false;
  switch (event) {
    case 'sendMessage': {
      const { content, client_msg_id: id } = payload;
      if (!onlyKeys(payload, ['chat_id', 'content', 'client_msg_id'])) return false;
      if (typeof content !== 'string' || !storable(content)) return false;
      const length = codePoints(content.trim());
      if (length < 1 || length > 5000) return false;
      return id === undefined || id === null || (typeof id === 'string' && storable(id) && codePoints(id) >= 1 && codePoints(id) <= 64);
    }
    case 'markRead':
      return onlyKeys(payload, ['chat_id', 'message_id']) && (payload.message_id === undefined || w.messagesFP.includes(payload.message_id as number));
    case 'typing':
      return onlyKeys(payload, ['chat_id']);
  }
}

/** What the server receives: JSON, except that Buffers travel as binary attachments. */
function wire(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? { binary: true } : v)) ?? 'null');
}

function payloadArbitrary(): fc.Arbitrary<unknown> {
  const chatId = fc.constantFrom<unknown>(w.chatFP, w.chatFP, w.chatAB, w.matchFP, 999_999, 0, -1, 2 ** 31, 1.5, String(w.chatFP), '12', null, true, {}, [], { $gt: '' }, [w.chatFP], Buffer.from('1'));
  const content = fc.oneof(
    fc.constantFrom<unknown>('hi', '', '   ', '\n\t', 'x'.repeat(5001), ' '.repeat(3) + 'y'.repeat(5001), '\u0000', 'a\u0000b', '\uD800', 12, null, {}, [], true, Buffer.from('hi')),
    fc.constantFrom(...INJECTION_STRINGS, ...UNICODE_STRINGS),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  const clientMsgId = fc.constantFrom<unknown>(null, '', 'x'.repeat(65), 'ok-1', 12, {}, [], 'a\u0000', '\uDC00', true);
  const messageId = fc.constantFrom<unknown>(w.messagesFP[0], w.messagesAB[0], w.messagesAB[1], 0, -1, '1', 1.5, null, 2 ** 31, {});
  const extra = fc.dictionary(fc.constantFrom(...EXTRA_KEYS, '__proto__', 'message_id', 'content'), hostileJson, { maxKeys: 2 });
  const object = fc
    .tuple(fc.record({ chat_id: chatId, content, client_msg_id: clientMsgId, message_id: messageId }, { requiredKeys: [] }), extra, fc.boolean())
    .map(([base, more, withExtra]) => (withExtra ? { ...base, ...more } : base));
  return fc.oneof(
    { weight: 6, arbitrary: object },
    { weight: 2, arbitrary: hostileJson },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 0, 'sendMessage', [], [{ chat_id: w.chatFP }], Buffer.from('{"chat_id":1}'), deepNest(300), 'x'.repeat(40_000)) },
  );
}

/** Payloads stay under the 64 KiB frame limit here (the limit itself has its own test). */
const underLimit = (payload: unknown) => Buffer.byteLength(JSON.stringify(wire(payload)) ?? '') < 60_000;

type Shape = 'ack' | 'no-ack' | 'ack+extra-args' | 'ack-only';
interface Emitted {
  socket: 'ws' | 'polling';
  event: string;
  payload: unknown;
  shape: Shape;
}

const UNKNOWN_EVENTS = ['sendmessage', 'SendMessage', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'emit', 'error', 'message', 'newMessage', 'matchAccepted', ' ', 'x'.repeat(500)];

function emittedArbitrary(): fc.Arbitrary<Emitted> {
  const known = fc
    .tuple(fc.constantFrom<EventName>('sendMessage', 'markRead', 'typing'), payloadArbitrary())
    .filter(([event, payload]) => !acceptable(event, wire(payload)) && underLimit(payload));
  const unknown = fc.tuple(fc.constantFrom(...UNKNOWN_EVENTS), payloadArbitrary()).filter(([, payload]) => underLimit(payload));
  return fc
    .tuple(
      fc.oneof({ weight: 9, arbitrary: known }, { weight: 1, arbitrary: unknown }),
      fc.constantFrom<Shape>('ack', 'ack', 'ack', 'no-ack', 'ack+extra-args', 'ack-only'),
      fc.constantFrom<'ws' | 'polling'>('ws', 'ws', 'ws', 'polling'),
    )
    .map(([[event, payload], shape, socket]) => ({ event, payload: shape === 'ack-only' ? undefined : payload, shape, socket }));
}

function ackProblem(e: Emitted, ack: unknown): string | null {
  if (!isPlainObject(ack)) return `ack is not an object: ${JSON.stringify(ack)}`;
  const keys = Object.keys(ack).sort().join(',');
  if (keys !== 'error,ok' || ack.ok !== false) return `ack is not { ok: false, error }: ${JSON.stringify(ack).slice(0, 200)}`;
  if (typeof ack.error !== 'string' || ack.error.length === 0) return 'ack error is not a non-empty string';
  if (ack.error === 'Internal server error') return 'unexpected server error';
  const leak = leaks(scrub(ack.error, [e.event, ...stringsOf(wire(e.payload))]), INTERNAL_PATTERNS);
  if (leak) return `ack error matches ${leak}: ${ack.error.slice(0, 200)}`;
  if (UNKNOWN_EVENTS.includes(e.event) && ack.error !== 'Unknown event') return `unknown event answered ${ack.error}`;
  return null;
}

async function emit(e: Emitted): Promise<void> {
  const socket = e.socket === 'ws' ? fWs : fPoll;
  sent += 1;
  const timed = socket.timeout(15_000);
  try {
    let ack: unknown;
    switch (e.shape) {
      case 'no-ack':
        socket.emit(e.event, e.payload);
        return;
      case 'ack':
        ack = await timed.emitWithAck(e.event, e.payload);
        break;
      case 'ack+extra-args':
        ack = await timed.emitWithAck(e.event, e.payload, 'extra', 42);
        break;
      case 'ack-only':
        ack = await timed.emitWithAck(e.event);
        break;
    }
    acked += 1;
    const problem = ackProblem(e, ack);
    if (problem) problems.set(`${e.event} ${problem.slice(0, 60)}`, `${problem}\n    ${e.event} (${e.shape}, ${e.socket}) ${JSON.stringify(wire(e.payload))?.slice(0, 300)}`);
  } catch (error) {
    problems.set(`${e.event} no ack`, `no ack: ${(error as Error).message}\n    ${e.event} (${e.shape}, ${e.socket}) ${JSON.stringify(wire(e.payload))?.slice(0, 300)}`);
  }
}

/** A sends B a real message: it is stored, acked, and reaches B while F floods. */
async function othersStillChat(label: string): Promise<void> {
  const got = nextEvent<{ message_id: number }>(bSock, 'newMessage', 15_000);
  const ack = await request(aSock, 'sendMessage', { chat_id: w.chatAB, content: `still here ${label}` });
  assert.equal(ack.ok, true, `A's message refused during the fuzz: ${JSON.stringify(ack)}`);
  exchanged.add(ack.message.message_id);
  assert.equal((await got).message_id, ack.message.message_id);
}

function unexpectedDeliveries(): typeof received {
  return received.filter((r) => !(r.event === 'newMessage' && (r.who === 'A' || r.who === 'B') && exchanged.has((r.payload as { message_id: number }).message_id)));
}

describe('Socket.IO fuzzer', () => {
  it('answers every malformed event { ok: false, error }, changes nothing, disturbs no one', async () => {
    let base = await snapshot();
    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(emittedArbitrary(), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map(emit));
        // Events without an ack: an acked event after them on each socket is answered after them.
        for (const socket of [fWs, fPoll]) {
          const ack = await request(socket, 'typing', { chat_id: w.chatAB });
          if (ack.ok !== false) problems.set('probe', `typing into someone else's chat answered ${JSON.stringify(ack)}`);
        }
        const changed = changedTables(base, await snapshot());
        if (changed.length > 0) problems.set(`db ${changed.join(',')}`, `refused events changed ${changed.join(', ')}`);
        batches += 1;
        if (batches % 5 === 0) {
          await othersStillChat(String(batches));
          const next = await snapshot();
          // The snapshot does see a write (A's message), so an unchanged one means something.
          if (!changedTables(base, next).includes('messages')) problems.set('snapshot', "A's message did not change the snapshot");
          base = next;
        }
        return true;
      }),
      { numRuns: Math.ceil(EVENTS / BATCH), seed: SEED, endOnFailure: true },
    );
    await othersStillChat('end');
    console.log(`# socket fuzz: ${sent} events sent, ${acked} acks checked, ${exchanged.size} messages between A and B meanwhile`);
    assert.equal(problems.size, 0, `${problems.size} distinct problems:\n${[...problems.values()].slice(0, 30).join('\n')}`);
    assert.ok(sent >= EVENTS && acked >= EVENTS / 2, `only ${sent} events, ${acked} acks`);
    assert.deepEqual(disconnects, [], 'a socket was disconnected');
    assert.deepEqual(unexpectedDeliveries(), [], 'a refused event reached someone');
  });

  it('leaves the fuzzing sockets fully working', async () => {
    for (const socket of [fWs, fPoll]) {
      assert.equal(socket.connected, true);
      const got = nextEvent<{ message_id: number }>(pSock, 'newMessage');
      const ack = await request(socket, 'sendMessage', { chat_id: w.chatFP, content: 'after the storm' });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      assert.equal((await got).message_id, ack.message.message_id);
      assert.deepEqual(await request(socket, 'markRead', { chat_id: w.chatFP, message_id: ack.message.message_id }), { ok: true });
    }
    await eventually(() => assert.equal(received.filter((r) => r.who === 'P' && r.event === 'messagesRead').length, 2));
    received.length = 0; // P got those legitimately; from here on nothing may arrive again
  });

  it('raw Socket.IO frames no client library sends: the sender may be dropped, nobody else', async () => {
    const frames = [
      '42',
      '42["sendMessage"',
      '42[]',
      '42[1,2]',
      '42{"a":1}',
      '42"sendMessage"',
      '42/nowhere,["sendMessage",{}]',
      '4299999999999999999999999["sendMessage",{}]',
      '42-1["sendMessage",{}]',
      '450-["sendMessage",{"_placeholder":true,"num":99}]',
      '451-["sendMessage",{"_placeholder":true,"num":0}]',
      '42["__proto__",{"chat_id":1}]',
      '42["constructor",{"prototype":{}}]',
      '43[{"ok":true}]',
      '437["forged ack"]',
      '9',
      '4',
      '',
      '0{"token":"x"}',
      '0/admin,',
    ];
    for (const frame of frames) {
      const victim = await connect(t.baseUrl, w.f.accessToken);
      const engine = (victim.io as unknown as { engine: { write(data: string): void } }).engine;
      engine.write(frame);
      // Whatever the server makes of it (ignore, or close this one connection), it goes on.
      await new Promise((r) => setTimeout(r, 30));
      victim.close();
    }
    await othersStillChat('after raw frames');
    const health = await fetch(`${t.baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(disconnects, []);
  });

  it('a payload over the 64 KiB limit closes only that connection', async () => {
    const big = await connect(t.baseUrl, w.f.accessToken);
    const gone = nextEvent<string>(big, 'disconnect', 15_000);
    big.emit('sendMessage', { chat_id: w.chatFP, content: 'x'.repeat(70 * 1024) });
    assert.ok(['transport close', 'transport error'].includes(await gone));
    await othersStillChat('after an oversized payload');
    await eventually(() => assert.equal(fWs.connected && fPoll.connected && pSock.connected, true));
    assert.deepEqual(disconnects, []);
    assert.deepEqual(unexpectedDeliveries(), []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { closeSockets, connect, request } from '../helpers/socket.js';
import { nestedArrays, nestedObjects, rawEmitWithAck } from './raw-socket.js';

/**
 * Structural fuzzing: shapes, not values. Every REST route with a JSON body (read from the app's
 * own OpenAPI document, so a new route is fuzzed without anyone listing it) and every socket event
 * (read from the server socket's listeners) gets deep (10k–100k levels of arrays and of objects),
 * wide (thousands of keys, 10k-element arrays), size-limit strings, and floods of small frames.
 * Each answer is a 4xx (socket: an error ack, or the connection closed for a frame over 64 KiB),
 * never a 500, within a generous time; afterwards the process still serves a real client.
 */
const BODY_LIMIT = 64 * 1024;
/** Per request: the work must be linear in the payload (64 KiB at most); this is generous on a loaded machine. */
const MAX_MS = 3000;

const wideObject = (keys: number) => `{${Array.from({ length: keys }, (_, i) => `"k${i}":${i}`).join(',')}}`;
const CASES: [string, string][] = [
  ['10k nested arrays', nestedArrays(10_000)],
  ['30k nested arrays', nestedArrays(30_000)],
  ['100k nested arrays (over the body limit)', nestedArrays(100_000)],
  ['10k nested objects', nestedObjects(10_000)],
  ['100k nested objects (over the body limit)', nestedObjects(100_000)],
  ['objects around arrays, 5k each', nestedObjects(5_000, nestedArrays(5_000))],
  ['5000 keys', wideObject(5_000)],
  ['10k-element array', `[${Array.from({ length: 10_000 }, (_, i) => i).join(',')}]`],
  ['10k-element array of objects', `[${Array.from({ length: 6_000 }, () => '{}').join(',')}]`],
  ['a string just under the body limit', JSON.stringify({ content: 'x'.repeat(BODY_LIMIT - 200) })],
  ['a string just over the body limit', JSON.stringify({ content: 'x'.repeat(BODY_LIMIT + 10) })],
  ['a 60 KiB key', `{${JSON.stringify('k'.repeat(60_000))}:1}`],
  ['many small nested arrays in one object', `{${Array.from({ length: 1500 }, (_, i) => `"k${i}":${nestedArrays(20)}`).join(',')}}`],
];

interface Operation {
  method: string;
  path: string;
}

describe('structural fuzzing of every REST body and socket event', () => {
  let t: TestApp;
  let api: Client;
  let user: TestUser;
  let operations: Operation[];
  const timings: { name: string; ms: number; bytes: number }[] = [];
  before(async () => {
    t = await startTestApp({ AUTH_RATE_LIMIT_PER_IP: '1000000', PROFILE_VIEWS_PER_HOUR: '1000000' });
    api = client(t.baseUrl);
    user = await createUser(api);
    const doc = (await api.get('/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.requestBody !== undefined)
        .map(([method]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '1') })),
    );
  });
  after(async () => {
    await closeSockets();
    await t.close();
  });

  it('the route table has JSON-body routes to fuzz (register, login, messages, …)', () => {
    assert.ok(operations.length >= 10, `${operations.length} operations`);
    for (const p of ['/api/users/register', '/api/users/login', '/api/chats/1/messages', '/api/users/me']) {
      assert.ok(operations.some((o) => o.path === p), p);
    }
  });

  it('every REST body route answers every shape with a 4xx { error }, quickly', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      for (const [name, body] of CASES) {
        const started = performance.now();
        const res = await api.request(op.method, op.path, { token: user.accessToken, rawBody: body, contentType: 'application/json' });
        const ms = performance.now() - started;
        timings.push({ name: `${op.method} ${op.path}: ${name}`, ms, bytes: body.length });
        const ok = res.status >= 400 && res.status < 500 && typeof (res.body as { error?: unknown }).error === 'string';
        if (!ok) failures.push(`${op.method} ${op.path} ${name}: ${res.status} ${res.text.slice(0, 120)}`);
        if (ms > MAX_MS) failures.push(`${op.method} ${op.path} ${name}: ${Math.round(ms)} ms`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('every socket event answers every shape with an error ack (or closes the connection for a frame over 64 KiB)', async () => {
    const probe = await connect(t.baseUrl, user.accessToken);
    const serverSocket = t.app.io.of('/').sockets.get(probe.id!);
    assert.ok(serverSocket);
    const events = serverSocket.eventNames().filter((e): e is string => typeof e === 'string' && e !== 'disconnect' && e !== 'disconnecting' && e !== 'error');
    assert.deepEqual([...events].sort(), ['markRead', 'sendMessage', 'typing']);
    probe.close();

    const failures: string[] = [];
    for (const event of events) {
      let socket = await connect(t.baseUrl, user.accessToken);
      for (const [name, payload] of CASES) {
        if (!socket.connected) socket = await connect(t.baseUrl, user.accessToken);
        const started = performance.now();
        const frameTooLarge = payload.length > BODY_LIMIT - 100;
        if (frameTooLarge) {
          const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
          void rawEmitWithAck(socket, event, payload, 5000).catch(() => {});
          const reason = await closed;
          if (reason !== 'transport close' && reason !== 'transport error') failures.push(`${event} ${name}: closed with ${reason}`);
        } else {
          const ack = await rawEmitWithAck(socket, event, payload, 10_000).catch((e: Error) => ({ timeout: e.message }));
          const ok = typeof ack === 'object' && ack !== null && ack.ok === false && typeof ack.error === 'string';
          if (!ok) failures.push(`${event} ${name}: ${JSON.stringify(ack).slice(0, 120)}`);
        }
        const ms = performance.now() - started;
        timings.push({ name: `socket ${event}: ${name}`, ms, bytes: payload.length });
        if (ms > MAX_MS) failures.push(`${event} ${name}: ${Math.round(ms)} ms`);
      }
      socket.close();
    }
    assert.deepEqual(failures, []);
  });

  it('many small frames: 2000 events on one socket are all answered, none with a crash', async () => {
    const socket = await connect(t.baseUrl, user.accessToken);
    const started = performance.now();
    const acks = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => request(socket, ['typing', 'markRead', 'sendMessage'][i % 3]!, i % 2 ? [[[i]]] : { chat_id: i })),
    );
    const ms = performance.now() - started;
    assert.ok(acks.every((a) => a && a.ok === false && typeof a.error === 'string'), JSON.stringify(acks.find((a) => !(a && a.ok === false))));
    assert.ok(ms < 20_000, `${Math.round(ms)} ms`);
    socket.close();
  });

  it('afterwards the process is up and serves a real client: login, REST and a socket message', async () => {
    assert.equal((await api.get('/healthz')).status, 200);
    const login = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal(login.status, 200);
    const me = await api.get('/api/users/me', { token: login.body.access_token });
    assert.equal(me.body.email, user.email);
    const socket = await connect(t.baseUrl, login.body.access_token);
    const ack = await request(socket, 'sendMessage', { chat_id: 999_999, content: 'hello' });
    assert.equal(ack.ok, false);
    assert.equal(typeof ack.error, 'string');
    // Every case was timed (REST and socket), and the slowest stayed within the bound.
    assert.ok(timings.length >= CASES.length * 13, `${timings.length} timed cases`);
    const slowest = timings.reduce((a, b) => (a.ms > b.ms ? a : b));
    assert.ok(slowest.ms < MAX_MS, `${slowest.name}: ${Math.round(slowest.ms)} ms`);
  });
});

import assert from 'node:assert/strict';
import { createSigner } from 'fast-jwt';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { closeSockets, connect, disconnected, request } from '../helpers/socket.js';
import { matchedPair } from '../helpers/chat-factory.js';

let t: TestApp;
let short: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  short = await startTestApp({ ACCESS_TOKEN_TTL: '2s' });
  api = client(t.baseUrl);
});
afterEach(closeSockets);
after(async () => {
  await t.close();
  await short.close();
});

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const connectedCount = async () => {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  return Number(/^socketio_connected_sockets (\d+)/m.exec(text)?.[1]);
};

/** Polls `read` until it returns `want` (or 10 s pass); returns the last value. */
async function settle(read: () => Promise<number>, want: number): Promise<number> {
  let value = await read();
  for (let i = 0; i < 500 && value !== want; i++) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

describe('handshake', () => {
  it('refuses a missing, malformed, forged, expired or logged-out token with connect_error "Unauthorized"', async () => {
    const user = await createUser(api);
    const { sub, sid } = claims(user.accessToken);
    const expired = createSigner({ key: t.config.jwtSecret, algorithm: 'HS256', clockTimestamp: Date.now() - 3_600_000, expiresIn: 60_000 })({ sub, sid });
    const forged = createSigner({ key: 'another-secret-of-sufficient-length-0123456789', algorithm: 'HS256', expiresIn: 60_000 })({ sub, sid });
    const refused: unknown[] = [undefined, '', 'not-a-jwt', forged, expired, 12345];
    for (const token of refused) {
      const auth = token === undefined ? {} : { token };
      await assert.rejects(connect(t.baseUrl, undefined, { auth }), (err: Error) => err.message === 'Unauthorized', String(token));
    }
    // The same refusal over the default transports (HTTP long-polling first).
    await assert.rejects(connect(t.baseUrl, 'nope', { transports: ['polling', 'websocket'] }), /^Error: Unauthorized$/);
    const other = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    assert.equal((await api.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status, 204);
    await assert.rejects(connect(t.baseUrl, user.accessToken), /Unauthorized/);
    const ok = await connect(t.baseUrl, other.body.access_token, { transports: ['polling', 'websocket'] });
    assert.ok(ok.connected);
  });

  it('counts connected sockets in /metrics', async () => {
    const user = await createUser(api);
    const before = await connectedCount();
    const s1 = await connect(t.baseUrl, user.accessToken);
    await connect(t.baseUrl, user.accessToken);
    assert.equal(await connectedCount(), before + 2);
    s1.close();
    assert.equal(await settle(connectedCount, before + 1), before + 1);
  });

  it('counts stored messages in /metrics', async () => {
    const p = await matchedPair(t, api);
    const read = async () => {
      const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
      const n = (transport: string) => Number(new RegExp(`^chat_messages_sent_total\\{transport="${transport}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return { socket: n('socket'), rest: n('rest') };
    };
    const before = await read();
    const s = await connect(t.baseUrl, p.a.accessToken);
    await request(s, 'sendMessage', { chat_id: p.chatId, content: 'counted', client_msg_id: 'm1' });
    await request(s, 'sendMessage', { chat_id: p.chatId, content: 'counted', client_msg_id: 'm1' });
    await api.post(`/api/chats/${p.chatId}/messages`, { token: p.b.accessToken, body: { content: 'rest' } });
    assert.deepEqual(await read(), { socket: before.socket + 1, rest: before.rest + 1 });
  });
});

describe('disconnects', () => {
  it('logout disconnects that session’s sockets only', async () => {
    const user = await createUser(api);
    const second = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    const s1a = await connect(t.baseUrl, user.accessToken);
    const s1b = await connect(t.baseUrl, user.accessToken);
    const s2 = await connect(t.baseUrl, second.body.access_token);
    const gone = Promise.all([disconnected(s1a), disconnected(s1b)]);
    assert.equal((await api.post('/api/auth/logout', { body: { refresh_token: user.refreshToken } })).status, 204);
    assert.deepEqual(await gone, ['io server disconnect', 'io server disconnect']);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(s2.connected, 'the other device stays connected');
  });

  it('account deletion disconnects every socket of the user', async () => {
    const user = await createUser(api);
    const second = await api.post('/api/users/login', { body: { email: user.email, password: user.password } });
    const sockets = [await connect(t.baseUrl, user.accessToken), await connect(t.baseUrl, second.body.access_token)];
    const bystander = await connect(t.baseUrl, (await createUser(api)).accessToken);
    const gone = Promise.all(sockets.map((s) => disconnected(s)));
    assert.equal((await api.del('/api/users/me', { token: user.accessToken, body: { password: user.password } })).status, 204);
    assert.deepEqual(await gone, ['io server disconnect', 'io server disconnect']);
    assert.ok(bystander.connected);
  });

  it('disconnects a socket when its access token expires', async () => {
    const shortApi = client(short.baseUrl);
    const user = await createUser(shortApi);
    const s = await connect(short.baseUrl, user.accessToken);
    const started = Date.now();
    assert.equal(await disconnected(s), 'io server disconnect');
    const lifetime = claims(user.accessToken).exp * 1000 - started;
    assert.ok(Date.now() - started >= lifetime - 50, 'not before the expiry');
    await assert.rejects(connect(short.baseUrl, user.accessToken), /Unauthorized/);
  });
});

describe('shutdown', () => {
  it('closes the connections so that clients reconnect (to another process) by themselves', async () => {
    const node = await startTestApp();
    const user = await createUser(client(node.baseUrl));
    const s = await connect(node.baseUrl, user.accessToken);
    const gone = disconnected(s);
    await node.close();
    // "transport close" (unlike "io server disconnect") is a disconnect the client recovers from.
    assert.equal(await gone, 'transport close');
  });
});

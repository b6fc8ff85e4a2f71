import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client } from '../helpers/client.js';
import { closeSockets, connect, request } from '../helpers/socket.js';
import { nestedArrays, rawEmitWithAck } from './raw-socket.js';
import { startServerProcess, stopServerProcesses, type ServerProcess } from './server-process.js';

const TOO_DEEP_PAYLOAD = 'Invalid payload: JSON nested deeper than 32 levels';

/** A recursive walk, as `nulPath` was before it became iterative. */
function recursiveWalk(value: unknown): number {
  if (value === null || typeof value !== 'object') return 1;
  let n = 1;
  for (const item of Object.values(value)) n += recursiveWalk(item);
  return n;
}

async function registerAndLogin(baseUrl: string, email: string): Promise<string> {
  const api = client(baseUrl);
  const reg = await api.post('/api/users/register', {
    body: { email, password: 'password123', name: '손님', birth_date: '1990-05-05', gender: 'female' },
  });
  assert.equal(reg.status, 201, reg.text);
  const login = await api.post('/api/users/login', { body: { email, password: 'password123' } });
  assert.equal(login.status, 200, login.text);
  return login.body.access_token;
}

/** A client that was never part of the attack can still do real work, REST and socket. */
async function servesARealClient(server: ServerProcess, email: string): Promise<void> {
  assert.ok(server.alive(), `server process exited:\n${server.output()}`);
  const api = client(server.baseUrl);
  assert.equal((await api.get('/healthz')).status, 200);
  const token = await registerAndLogin(server.baseUrl, email);
  assert.equal((await api.get('/api/users/me', { token })).body.email, email);
  const socket = await connect(server.baseUrl, token);
  const ack = await request(socket, 'sendMessage', { chat_id: 999_999, content: 'hi' });
  assert.deepEqual(ack, { ok: false, error: 'Chat not found' });
  socket.close();
}

describe('the 40 KB frame that used to end the process', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(async () => {
    await closeSockets();
    await stopServerProcesses();
  });

  it('is deep enough that a recursive walk overflows the stack (what killed the process)', () => {
    const frame = JSON.parse(`{"chat_id":1,"content":${nestedArrays(20_000)}}`);
    assert.throws(() => recursiveWalk(frame), RangeError);
  });

  it('sendMessage with 20,000 nested arrays gets an error ack; the process stays up and serves others', async () => {
    const token = await registerAndLogin(server.baseUrl, 'attacker@example.com');
    const socket = await connect(server.baseUrl, token);
    const payload = `{"chat_id":1,"content":${nestedArrays(20_000)}}`;
    assert.ok(payload.length > 40_000 && payload.length < 64 * 1024);
    assert.deepEqual(await rawEmitWithAck(socket, 'sendMessage', payload), { ok: false, error: TOO_DEEP_PAYLOAD });
    // The attacking socket itself is not disconnected and still works.
    assert.deepEqual(await rawEmitWithAck(socket, 'typing', `{"chat_id":${nestedArrays(20_000, '1')}}`), { ok: false, error: TOO_DEEP_PAYLOAD });
    assert.deepEqual(await request(socket, 'markRead', { chat_id: 999_999 }), { ok: false, error: 'Chat not found' });
    await servesARealClient(server, 'bystander@example.com');
  });

  it('the same payload over REST is a 400, not a 500', async () => {
    const token = await registerAndLogin(server.baseUrl, 'rest-attacker@example.com');
    const api = client(server.baseUrl);
    const res = await api.post('/api/chats/1/messages', {
      token,
      rawBody: `{"content":${nestedArrays(20_000)}}`,
      contentType: 'application/json',
    });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body, { error: 'Invalid body: JSON nested deeper than 32 levels' });
    await servesARealClient(server, 'bystander2@example.com');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

describe('ids and integers in paths and queries', () => {
  it('accepts a canonical id and refuses every other spelling of it with 400', async () => {
    const viewer = await createUser(api, { gender: 'male' });
    const other = await createUser(api, { gender: 'female' });
    assert.equal((await api.get(`/api/users/${other.id}`, { token: viewer.accessToken })).status, 200);
    const hex = `0x${other.id.toString(16)}`;
    for (const spelling of [hex, `+${other.id}`, `${other.id}.0`, `0${other.id}`, `%20${other.id}`, `${other.id}%20`, '1e1', '0', '-1', 'abc']) {
      const res = await api.get(`/api/users/${spelling}`, { token: viewer.accessToken });
      assert.equal(res.status, 400, spelling);
      assert.equal(typeof res.body.error, 'string');
    }
  });

  it('answers 404 for a positive integer id beyond any stored one (a positive integer is a valid id)', async () => {
    const a = await createUser(api, { gender: 'male' });
    const auth = { token: a.accessToken };
    for (const huge of ['2147483648', '3000000000', '99999999999999999999999']) {
      for (const [method, path, body, error] of [
        ['GET', `/api/users/${huge}`, undefined, 'User not found'],
        ['GET', `/api/matches/compatibility/${huge}`, undefined, 'User not found'],
        ['POST', `/api/users/${huge}/block`, undefined, 'User not found'],
        ['POST', `/api/matches/${huge}/accept`, undefined, 'Match not found'],
        ['GET', `/api/chats/${huge}/messages`, undefined, 'Chat not found'],
        ['POST', '/api/matches/request', { receiver_id: Number(huge) }, 'User not found'],
      ] as const) {
        const res = await api.request(method, path, { ...auth, body });
        assert.equal(res.status, 404, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`);
        assert.deepEqual(res.body, { error });
      }
    }
    // Without a token it is still 401 first.
    assert.equal((await api.get('/api/users/3000000000')).status, 401);
  });

  it('refuses non-canonical integers in query strings', async () => {
    const user = await createUser(api);
    assert.equal((await api.get('/api/matches/recommendations?limit=5', { token: user.accessToken })).status, 200);
    for (const limit of ['1e1', '%2B5', '5.0', '05', 'ten']) {
      assert.equal((await api.get(`/api/matches/recommendations?limit=${limit}`, { token: user.accessToken })).status, 400, limit);
    }
  });
});

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
    for (const spelling of [hex, `+${other.id}`, `${other.id}.0`, `0${other.id}`, `%20${other.id}`, `${other.id}%20`, '1e1', '0', '-1', '2147483648', 'abc']) {
      const res = await api.get(`/api/users/${spelling}`, { token: viewer.accessToken });
      assert.equal(res.status, 400, spelling);
      assert.equal(typeof res.body.error, 'string');
    }
  });

  it('refuses non-canonical integers in query strings', async () => {
    const user = await createUser(api);
    assert.equal((await api.get('/api/matches/recommendations?limit=5', { token: user.accessToken })).status, 200);
    for (const limit of ['1e1', '%2B5', '5.0', '05', 'ten']) {
      assert.equal((await api.get(`/api/matches/recommendations?limit=${limit}`, { token: user.accessToken })).status, 400, limit);
    }
  });
});

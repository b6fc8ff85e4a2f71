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

describe('request bodies', () => {
  it('treats an empty body sent as application/json as no body on routes without one', async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const json = { rawBody: '', contentType: 'application/json', token: a.accessToken };
    assert.equal((await api.post(`/api/users/${b.id}/block`, json)).status, 204);
    assert.equal((await api.del(`/api/users/${b.id}/block`, json)).status, 204);
    assert.equal((await api.post(`/api/users/${b.id}/block`, { ...json, rawBody: '{}' })).status, 204);
  });

  it('refuses a non-empty body on a route that takes none', async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const res = await api.post(`/api/users/${b.id}/block`, { token: a.accessToken, body: { x: 1 } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'This endpoint takes no request body' });
    const match = await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    assert.equal(match.status, 201, match.text);
    const accept = await api.post(`/api/matches/${match.body.match_id}/accept`, { token: b.accessToken, body: { x: 1 } });
    assert.equal(accept.status, 400);
  });

  it('still refuses an empty body where one is required', async () => {
    const res = await api.post('/api/users/login', { rawBody: '', contentType: 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(typeof res.body.error, 'string');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, userInput } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

describe('token freshness and character counts', () => {
  it('every refresh returns a new access token, even within the same second and on a grace retry', async () => {
    const user = await createUser(api);
    const first = await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    const retry = await api.post('/api/auth/refresh', { body: { refresh_token: user.refreshToken } });
    assert.equal(first.status, 200);
    assert.equal(retry.status, 200);
    const tokens = new Set([user.accessToken, first.body.access_token, retry.body.access_token]);
    assert.equal(tokens.size, 3);
    assert.equal(retry.body.refresh_token, first.body.refresh_token, 'the same successor refresh token');
  });

  it('counts name and password lengths in characters, not UTF-16 units', async () => {
    const emojiName = '😀'.repeat(60);
    const ok = await api.post('/api/users/register', { body: userInput({ name: emojiName }) });
    assert.equal(ok.status, 201, ok.text);
    const shortPassword = await api.post('/api/users/register', { body: userInput({ password: '😀😀😀😀' }) });
    assert.equal(shortPassword.status, 400);
    assert.equal(shortPassword.body.details[0].field, 'password');
    const longName = await api.post('/api/users/register', { body: userInput({ name: '😀'.repeat(101) }) });
    assert.equal(longName.status, 400);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { userInput } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp({ AUTH_RATE_LIMIT_PER_IP: '8', AUTH_RATE_LIMIT_PER_EMAIL: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' });
  api = client(t.baseUrl);
});
after(async () => t.close());

describe('login and register rate limits', () => {
  it('per email: the 4th login attempt for one address within the window is 429 with Retry-After', async () => {
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await api.post('/api/users/login', { body: { email: 'target@example.com', password: 'guess-' + i } });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(typeof last!.body.error, 'string');
  });

  it('per IP: registrations from one address beyond the limit are 429 whatever the email', async () => {
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await api.post('/api/users/register', { body: userInput() })).status);
    assert.equal(statuses.filter((s) => s === 201).length, 8);
    assert.equal(statuses.at(-1), 429);
  });
});

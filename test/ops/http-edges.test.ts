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

describe('errors and edges', () => {
  it('404 with an error body for an unknown route', async () => {
    const res = await api.get('/api/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(typeof res.body.error, 'string');
  });

  it('400 for malformed JSON', async () => {
    const res = await api.post('/api/users/login', { rawBody: '{"email": ', contentType: 'application/json' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'Malformed JSON body' });
  });

  it('415 for a body that is not JSON', async () => {
    const res = await api.post('/api/users/login', { rawBody: 'email=a', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 415);
    assert.equal(typeof res.body.error, 'string');
    // JSON text labelled text/plain is not JSON either (not a confusing schema error).
    const plain = await api.post('/api/users/login', { rawBody: '{"email":"a@b.co","password":"x"}', contentType: 'text/plain' });
    assert.equal(plain.status, 415);
    assert.deepEqual(plain.body, { error: 'Unsupported content type: send application/json' });
  });

  it('413 for a body over 64 KiB', async () => {
    const user = await createUser(api);
    const res = await api.put('/api/users/me', { token: user.accessToken, body: { bio: 'x'.repeat(70 * 1024) } });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { error: 'Request body too large (limit 64 KiB)' });
  });

  it('refuses NUL characters and unpaired surrogates in any text with 400, storing nothing', async () => {
    for (const name of ['A\u0000B', 'x\ud800', '\udc00y']) {
      const res = await api.post('/api/users/register', {
        body: { email: `odd${Math.random()}@example.com`, password: 'password123', name, birth_date: '1990-01-01', gender: 'male' },
      });
      assert.equal(res.status, 400, JSON.stringify(name));
      assert.equal(res.body.details[0].field, 'name');
    }
    const login = await api.post('/api/users/login', { body: { email: 'a\u0000@x.com', password: 'password1' } });
    assert.equal(login.status, 400);
    const user = await createUser(api);
    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { bio: 'ok\ud83d' } })).status, 400);
    assert.equal((await api.put('/api/users/me', { token: user.accessToken, body: { bio: 'ok 😀' } })).status, 200);
  });

  it('refuses prototype pollution payloads with 400', async () => {
    const res = await api.post('/api/users/login', {
      rawBody: '{"email":"a@b.co","password":"x","__proto__":{"admin":true}}',
      contentType: 'application/json',
    });
    assert.equal(res.status, 400);
  });

  it('sends an X-Request-Id on every response, echoing a valid one and replacing an invalid one', async () => {
    const echoed = await api.get('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
    const generated = await api.get('/api/nothing', { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const onError = await api.get('/api/users/me');
    assert.ok(onError.headers.get('x-request-id'));
    // Engine.IO's own answers: a polling handshake, and a refused request (unknown transport).
    const handshake = await api.get('/socket.io/?EIO=4&transport=polling', { headers: { 'x-request-id': 'eio-1' } });
    assert.equal(handshake.status, 200);
    assert.equal(handshake.headers.get('x-request-id'), 'eio-1');
    const refused = await api.get('/socket.io/?EIO=4&transport=carrier-pigeon');
    assert.equal(refused.status, 400);
    assert.match(refused.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});

describe('operations', () => {
  it('/healthz and /readyz are 200 while the database answers', async () => {
    assert.equal((await api.get('/healthz')).status, 200);
    const ready = await api.get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.checks, { database: 'ok' });
  });

  it('/openapi.json is OpenAPI 3.1 with every endpoint, and /docs serves a UI', async () => {
    const doc = (await api.get('/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const [path, method] of [
      ['/api/users/register', 'post'],
      ['/api/users/login', 'post'],
      ['/api/auth/refresh', 'post'],
      ['/api/auth/logout', 'post'],
      ['/api/users/me', 'get'],
      ['/api/users/me', 'put'],
      ['/api/users/me', 'delete'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path} documented`);
    }
    assert.ok(doc.paths['/api/users/me'].get.security, 'bearer security documented');
    // Every response says what its status means; 429 and 503 document Retry-After.
    for (const [path, operations] of Object.entries<Record<string, { responses?: Record<string, any> }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          assert.ok(
            response.description && !['Default Response', 'Every error response'].includes(response.description),
            `${method} ${path} ${status}: ${response.description}`,
          );
          if (status === '429' || status === '503') assert.ok(response.headers?.['Retry-After'], `${method} ${path} ${status} Retry-After`);
        }
      }
    }
    assert.equal(doc.paths['/api/users/me'].get.responses['503'].headers['Retry-After'].schema.type, 'integer');
    const docs = await api.get('/docs/');
    assert.equal(docs.status, 200);
    assert.match(docs.text, /swagger/i);
  });

  it('/metrics counts requests by route in Prometheus format', async () => {
    await api.get('/healthz');
    const res = await api.get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    assert.match(res.text, /http_request_duration_seconds_bucket/);
  });
});

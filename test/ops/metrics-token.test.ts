import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** /metrics tells anyone who reads it how busy the service is and which routes exist: METRICS_TOKEN. */
const TOKEN = 'metrics-token-for-the-test-0123456789';
const metrics = (t: TestApp, authorization?: string) =>
  fetch(`${t.baseUrl}/metrics`, authorization === undefined ? {} : { headers: { authorization } });

describe('METRICS_TOKEN set', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
  });
  after(async () => t.close());

  it('serves Prometheus text with the token', async () => {
    const res = await metrics(t, `Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await res.text(), /^# HELP http_requests_total /m);
  });

  it('401 { error } without it, with a wrong one, or with another scheme', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      const res = await metrics(t, authorization);
      assert.equal(res.status, 401, String(authorization));
      assert.deepEqual(await res.json(), { error: 'Unauthorized' });
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
  });

  it('the OpenAPI document says /metrics needs the token', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, { get: { security: unknown[]; responses: Record<string, unknown> } }>;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.deepEqual(doc.paths['/metrics']!.get.security, [{ metricsToken: [] }]);
    assert.ok(doc.paths['/metrics']!.get.responses['401']);
    assert.deepEqual(doc.components.securitySchemes.metricsToken, {
      type: 'http',
      scheme: 'bearer',
      description: 'METRICS_TOKEN (operators only): /metrics needs it when the server sets one',
    });
  });
});

describe('production without METRICS_TOKEN', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  after(async () => t.close());

  it('/metrics is 404, like any unknown route, token or not', async () => {
    for (const authorization of [undefined, 'Bearer anything-at-all-here']) {
      const res = await metrics(t, authorization);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: 'Route GET /metrics not found' });
    }
    assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
  });
});

describe('outside production without METRICS_TOKEN', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('/metrics is open (development and tests)', async () => {
    const res = await metrics(t);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# HELP /m);
  });

  it('a METRICS_TOKEN shorter than 16 characters is a configuration error naming the variable', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'saju-metrics-')), METRICS_TOKEN: 'short' }),
      (err: Error) => err instanceof ConfigError && err.message.includes('METRICS_TOKEN: must be at least 16 characters'),
    );
  });
});

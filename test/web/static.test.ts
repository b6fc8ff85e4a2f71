import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

// The server side of the web client: a built directory (as Vite writes it) served at `/` with
// the right cache headers, and every API path left as it was.
describe('web client static files', () => {
  let t: TestApp;
  const root = mkdtempSync(join(tmpdir(), 'web-static-'));

  before(async () => {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><html lang="ko"><title>사주 소개팅</title><script type="module" src="/assets/index-AbC123xy.js"></script></html>');
    writeFileSync(join(root, 'assets/index-AbC123xy.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets/index-Zz9_-8Qw.css'), 'body{}');
    writeFileSync(join(root, '.secret'), 'nope');
    t = await startTestApp({}, { webRoot: root });
  });
  after(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('GET / is index.html, revalidated on every load, under a strict CSP', async () => {
    const res = await fetch(`${t.baseUrl}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.ok(res.headers.get('x-request-id'));
    assert.match(await res.text(), /사주 소개팅/);
    const again = await fetch(`${t.baseUrl}/index.html`);
    assert.equal(again.headers.get('cache-control'), 'no-cache');
  });

  test('hashed assets are cached for a year and immutable', async () => {
    for (const path of ['/assets/index-AbC123xy.js', '/assets/index-Zz9_-8Qw.css']) {
      const res = await fetch(`${t.baseUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
    }
    const js = await fetch(`${t.baseUrl}/assets/index-AbC123xy.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal(await js.text(), 'console.log(1)');
  });

  test('dotfiles and unknown paths are JSON 404s, API paths keep their handlers', async () => {
    for (const path of ['/.secret', '/assets/missing-12345678.js', '/nope', '/api/nope']) {
      const res = await fetch(`${t.baseUrl}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(typeof ((await res.json()) as { error: unknown }).error, 'string', path);
    }
    assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${t.baseUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${t.baseUrl}/metrics`)).status, 200);
    assert.equal((await fetch(`${t.baseUrl}/docs`, { redirect: 'manual' })).status < 400, true);
    assert.equal((await fetch(`${t.baseUrl}/api/users/me`)).status, 401);
    const polling = await fetch(`${t.baseUrl}/socket.io/?EIO=4&transport=polling`);
    assert.equal(polling.status, 200);
    assert.match(await polling.text(), /"sid"/);
  });

  test('the static routes stay out of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(doc.paths);
    assert.ok(paths.includes('/api/users/login'));
    assert.deepEqual(paths.filter((p) => !p.startsWith('/api/') && !['/healthz', '/readyz', '/metrics'].includes(p)), []);
  });
});

describe('without a built web client', () => {
  test('GET / is a JSON 404 and the API works', async () => {
    const t = await startTestApp({}, { webRoot: join(tmpdir(), 'no-such-web-build') });
    try {
      const res = await fetch(`${t.baseUrl}/`);
      assert.equal(res.status, 404);
      assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
    } finally {
      await t.close();
    }
  });
});

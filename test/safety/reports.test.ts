import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { man, woman } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

const report = (by: TestUser, id: number | string, body?: unknown) => api.post(`/api/users/${id}/report`, { token: by.accessToken, body });
const stored = (id: number) => t.database.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();

describe('POST /api/users/{user_id}/report', () => {
  it('201 { report_id } and the report is stored, trimmed, with optional details', async () => {
    const a = await man(api);
    const b = await woman(api);
    const res = await report(a, b.id, { reason: '  harassment ', details: ' 계속 욕설을 보냅니다 ' });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body), ['report_id']);
    assert.ok(Number.isInteger(res.body.report_id));
    const row = await stored(res.body.report_id);
    assert.equal(row!.reporter_id, a.id);
    assert.equal(row!.reported_user_id, b.id);
    assert.equal(row!.reason, 'harassment');
    assert.equal(row!.details, '계속 욕설을 보냅니다');
    for (const body of [{ reason: 'spam' }, { reason: '가짜 프로필', details: null }, { reason: 'r'.repeat(500), details: 'd'.repeat(2000) }, { reason: '😡'.repeat(500) }]) {
      const ok = await report(a, b.id, body);
      assert.equal(ok.status, 201, JSON.stringify(body).slice(0, 40));
      assert.equal((await stored(ok.body.report_id))!.details, 'details' in body && body.details ? body.details : null);
    }
  });

  it('400 for a missing, blank, too long or non-string reason, too long details, unknown fields, or the own id', async () => {
    const a = await man(api);
    const b = await woman(api);
    const bodies: unknown[] = [
      undefined,
      {},
      { reason: '' },
      { reason: '   ' },
      { reason: 'r'.repeat(501) },
      { reason: 12 },
      { reason: 'spam', details: 'd'.repeat(2001) },
      { reason: 'spam', details: 3 },
      { reason: 'spam', severity: 'high' },
    ];
    for (const body of bodies) {
      const res = await report(a, b.id, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await report(a, a.id, { reason: 'spam' })).status, 400);
    assert.equal((await report(a, 'abc', { reason: 'spam' })).status, 400);
    const count = await t.database.db.selectFrom('reports').select('id').where('reporter_id', '=', a.id).execute();
    assert.equal(count.length, 0);
  });

  it('429 with Retry-After past 30 reports by one person in an hour; others are not affected', async () => {
    const a = await man(api);
    const b = await woman(api);
    const c = await man(api);
    for (let i = 1; i <= 30; i++) assert.equal((await report(a, b.id, { reason: `spam ${i}` })).status, 201, `report ${i}`);
    const refused = await report(a, b.id, { reason: 'spam 31' });
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { error: 'Too many reports, please try again later' });
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await report(c, b.id, { reason: 'spam' })).status, 201, 'the limit is per reporter');
    const count = await t.database.db.selectFrom('reports').select('id').where('reporter_id', '=', a.id).execute();
    assert.equal(count.length, 30, 'the refused report was not stored');
  });

  it('404 for an unknown user, 401 without a token; works whatever the blocks', async () => {
    const a = await man(api);
    const b = await woman(api);
    assert.equal((await report(a, 2_000_000_000, { reason: 'spam' })).status, 404);
    assert.equal((await api.post(`/api/users/${b.id}/report`, { body: { reason: 'spam' } })).status, 401);
    await api.post(`/api/users/${b.id}/block`, { token: a.accessToken });
    assert.equal((await report(a, b.id, { reason: 'spam' })).status, 201, 'block and report go together');
    assert.equal((await report(b, a.id, { reason: 'spam' })).status, 201, 'the blocked can report too');
  });

  it('a report outlives the reported account (its id kept) and loses a deleted reporter', async () => {
    const a = await man(api);
    const b = await woman(api);
    const c = await woman(api);
    const r1 = (await report(a, b.id, { reason: 'scam' })).body.report_id;
    const r2 = (await report(c, a.id, { reason: 'spam' })).body.report_id;
    await api.del('/api/users/me', { token: b.accessToken, body: { password: b.password } });
    await api.del('/api/users/me', { token: c.accessToken, body: { password: c.password } });
    assert.equal((await stored(r1))!.reported_user_id, b.id);
    assert.equal((await stored(r2))!.reporter_id, null);
  });
});

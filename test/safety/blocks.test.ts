import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { ids, man, recommendations, recordEvents, sendRequest, woman } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

const block = (by: TestUser, id: number | string) => api.post(`/api/users/${id}/block`, { token: by.accessToken });
const unblock = (by: TestUser, id: number | string) => api.del(`/api/users/${id}/block`, { token: by.accessToken });

describe('POST /api/users/{user_id}/block', () => {
  it('204 with an empty body, idempotent, one userBlocked event', async () => {
    const events = recordEvents(t, 'userBlocked');
    const a = await man(api);
    const b = await woman(api);
    const res = await block(a, b.id);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal((await block(a, b.id)).status, 204);
    const rows = await t.database.db.selectFrom('blocks').selectAll().where('blocker_id', '=', a.id).execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(events.filter((e) => e.blockerId === a.id), [{ blockerId: a.id, blockedId: b.id }]);
  });

  it('400 for the own or a malformed id, 404 for an unknown user, 401 without a token', async () => {
    const a = await man(api);
    assert.equal((await block(a, a.id)).status, 400);
    for (const bad of ['abc', '0', '-1', '2.5']) assert.equal((await block(a, bad)).status, 400, bad);
    const unknown = await block(a, 2_000_000_000);
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.body.error, 'string');
    assert.equal((await api.post(`/api/users/${a.id}/block`)).status, 401);
  });

  it('hides both people from each other everywhere, whoever blocked; unblocking restores it', async () => {
    t.clock.now = new Date('2036-01-01T03:00:00.000Z');
    const a = await man(api, { birth_date: '1991-03-03' });
    const b = await woman(api, { birth_date: '1992-04-04' });
    const c = await woman(api, { birth_date: '1993-05-05' });
    const match = await sendRequest(api, a, b);
    assert.ok(ids((await recommendations(api, a, 50)).body).includes(c.id));

    assert.equal((await block(b, a.id)).status, 204); // the receiver blocks the requester
    assert.equal((await block(a, c.id)).status, 204);
    for (const [viewer, other] of [[a, b], [b, a], [a, c], [c, a]] as const) {
      assert.equal((await api.get(`/api/users/${other.id}`, { token: viewer.accessToken })).status, 404, 'profile');
      assert.equal((await api.get(`/api/matches/compatibility/${other.id}`, { token: viewer.accessToken })).status, 404, 'compatibility');
      assert.equal((await sendRequest(api, viewer, other)).status, 404, 'request');
      const matches = (await api.get('/api/matches', { token: viewer.accessToken })).body;
      assert.ok(!matches.some((m: any) => m.partner.user_id === other.id), 'match list');
    }
    // Today's set was fixed before the block, and still loses c; a new day's set never had her.
    assert.ok(!ids((await recommendations(api, a, 50)).body).includes(c.id));
    t.clock.now = new Date('2036-01-02T03:00:00.000Z');
    assert.ok(!ids((await recommendations(api, c, 50)).body).includes(a.id));
    assert.equal((await api.post(`/api/matches/${match.body.match_id}/accept`, { token: b.accessToken })).status, 404);

    assert.equal((await unblock(b, a.id)).status, 204);
    assert.equal((await api.get(`/api/users/${b.id}`, { token: a.accessToken })).status, 200);
    assert.deepEqual(ids((await api.get('/api/matches', { token: a.accessToken })).body.map((m: any) => m.partner)), [b.id]);
  });
});

describe('DELETE /api/users/{user_id}/block', () => {
  it("204, idempotent, and lifts only the caller's own block", async () => {
    const a = await man(api);
    const b = await woman(api);
    await block(a, b.id);
    await block(b, a.id);
    assert.equal((await unblock(a, b.id)).status, 204);
    assert.equal((await unblock(a, b.id)).status, 204, 'not blocked any more: still 204');
    assert.equal((await api.get(`/api/users/${b.id}`, { token: a.accessToken })).status, 404, "b's own block still holds");
    assert.equal((await unblock(b, a.id)).status, 204);
    assert.equal((await api.get(`/api/users/${b.id}`, { token: a.accessToken })).status, 200);
  });

  it('400 for the own or a malformed id, 404 for an unknown user, 401 without a token', async () => {
    const a = await man(api);
    assert.equal((await unblock(a, a.id)).status, 400);
    assert.equal((await unblock(a, 'x')).status, 400);
    assert.equal((await unblock(a, 2_000_000_000)).status, 404);
    assert.equal((await api.del(`/api/users/${a.id}/block`)).status, 401);
  });
});

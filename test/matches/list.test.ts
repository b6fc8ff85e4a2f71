import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { man, sendRequest, woman } from './helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

const list = (user: TestUser, query = '') => api.get(`/api/matches${query}`, { token: user.accessToken });
const matchIds = (body: Array<{ match_id: number }>) => body.map((m) => m.match_id);

describe('GET /api/matches', () => {
  let me: TestUser;
  let sent: number;
  let received: number;
  let matched: number;
  let declined: number;
  let p: TestUser[];

  before(async () => {
    // One minute apart, so that "newest first" is visible in created_at.
    t.clock.now = new Date('2031-03-01T01:00:00.000Z');
    me = await man(api, { birth_date: '1990-06-15' });
    p = [
      await woman(api, { birth_date: '1992-03-02' }),
      await woman(api, { birth_date: '1993-04-03' }),
      await woman(api, { birth_date: '1994-05-04' }),
      await woman(api, { birth_date: '1995-06-05' }),
    ];
    sent = (await sendRequest(api, me, p[0]!)).body.match_id;
    t.clock.now = new Date('2031-03-01T01:01:00.000Z');
    received = (await sendRequest(api, p[1]!, me)).body.match_id;
    t.clock.now = new Date('2031-03-01T01:02:00.000Z');
    matched = (await sendRequest(api, p[2]!, me)).body.match_id;
    await api.post(`/api/matches/${matched}/accept`, { token: me.accessToken });
    t.clock.now = new Date('2031-03-01T01:03:00.000Z');
    declined = (await sendRequest(api, me, p[3]!)).body.match_id;
    await api.post(`/api/matches/${declined}/decline`, { token: p[3]!.accessToken });
  });

  it('lists both directions and every status, newest first, with the contract fields', async () => {
    const res = await list(me);
    assert.equal(res.status, 200);
    assert.deepEqual(matchIds(res.body), [declined, matched, received, sent]);
    const item = res.body.find((m: any) => m.match_id === matched);
    assert.deepEqual(Object.keys(item).sort(), ['chat_id', 'compatibility_score', 'created_at', 'direction', 'match_id', 'partner', 'status']);
    assert.equal(item.status, 'matched');
    assert.equal(item.direction, 'received');
    assert.equal(item.created_at, '2031-03-01T01:02:00.000Z');
    assert.ok(Number.isInteger(item.chat_id));
    assert.ok(Number.isInteger(item.compatibility_score) && item.compatibility_score >= 0 && item.compatibility_score <= 100);
    // Born 1994-05-04: 36 on 2031-03-01 (birthday not reached yet); never a birth date or email.
    assert.deepEqual(item.partner, { user_id: p[2]!.id, name: p[2]!.name, age: 36, profile_img_url: null });
    for (const m of res.body) if (m.status !== 'matched') assert.equal(m.chat_id, null, `chat_id of ${m.status}`);
    const sentItem = res.body.find((m: any) => m.match_id === sent);
    assert.equal(sentItem.direction, 'sent');
    assert.equal(sentItem.partner.user_id, p[0]!.id);
  });

  it('filters by direction and status, alone and together', async () => {
    assert.deepEqual(matchIds((await list(me, '?direction=sent')).body), [declined, sent]);
    assert.deepEqual(matchIds((await list(me, '?direction=received')).body), [matched, received]);
    assert.deepEqual(matchIds((await list(me, '?status=requested')).body), [received, sent]);
    assert.deepEqual(matchIds((await list(me, '?status=matched')).body), [matched]);
    assert.deepEqual(matchIds((await list(me, '?status=declined')).body), [declined]);
    assert.deepEqual(matchIds((await list(me, '?direction=received&status=requested')).body), [received]);
    assert.deepEqual((await list(me, '?direction=sent&status=matched')).body, []);
  });

  it('400 for an unknown direction or status; 401 without a token', async () => {
    for (const q of ['?direction=both', '?status=pending', '?status=MATCHED', '?direction=']) {
      const res = await list(me, q);
      assert.equal(res.status, 400, q);
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await api.get('/api/matches')).status, 401);
  });

  it("the partner sees the same match from the other side; strangers see none of it", async () => {
    const theirs = (await list(p[2]!)).body;
    assert.deepEqual(matchIds(theirs), [matched]);
    assert.equal(theirs[0].direction, 'sent');
    assert.equal(theirs[0].partner.user_id, me.id);
    const stranger = await man(api);
    assert.deepEqual((await list(stranger)).body, []);
  });

  it('a block either way hides the match from both lists until it is lifted', async () => {
    assert.equal((await api.post(`/api/users/${me.id}/block`, { token: p[1]!.accessToken })).status, 204);
    assert.deepEqual(matchIds((await list(me)).body), [declined, matched, sent]);
    assert.deepEqual((await list(p[1]!)).body, []);
    await api.del(`/api/users/${me.id}/block`, { token: p[1]!.accessToken });
    assert.deepEqual(matchIds((await list(me)).body), [declined, matched, received, sent]);
  });
});

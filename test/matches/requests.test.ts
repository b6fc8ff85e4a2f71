import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { BIRTH_DATES, man, recordEvents, sendRequest, woman } from './helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

const EXISTS = { error: 'Match request already exists' };

async function pairRows(a: number, b: number) {
  return t.database.db
    .selectFrom('matches')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('requester_id', '=', a), eb('receiver_id', '=', b)]),
        eb.and([eb('requester_id', '=', b), eb('receiver_id', '=', a)]),
      ]),
    )
    .execute();
}

async function chatsOf(matchId: number) {
  return t.database.db.selectFrom('chats').selectAll().where('match_id', '=', matchId).execute();
}

describe('POST /api/matches/request', () => {
  it('201 requested, storing the same compatibility score the compatibility endpoint gives', async () => {
    const events = recordEvents(t, 'matchRequested');
    const a = await man(api, { birth_date: BIRTH_DATES[0] });
    const b = await woman(api, { birth_date: BIRTH_DATES[1] });
    const res = await sendRequest(api, a, b);
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['match_id', 'status']);
    assert.equal(res.body.status, 'requested');
    assert.ok(Number.isInteger(res.body.match_id));

    const compat = await api.get(`/api/matches/compatibility/${b.id}`, { token: a.accessToken });
    const [row] = await pairRows(a.id, b.id);
    assert.equal(row!.compatibility_score, compat.body.compatibility_score);
    assert.equal(row!.requester_id, a.id);
    assert.equal(row!.status, 'requested');

    const event = events.find((e) => e.matchId === res.body.match_id);
    assert.ok(event, 'matchRequested published');
    assert.equal(event.receiverId, b.id);
    assert.equal(event.compatibilityScore, compat.body.compatibility_score);
    assert.deepEqual(Object.keys(event.requester).sort(), ['age', 'name', 'profile_img_url', 'user_id']);
    assert.equal(event.requester.user_id, a.id);
  });

  it('409 with the exact error text for a duplicate, and only one row', async () => {
    const a = await man(api);
    const b = await woman(api);
    assert.equal((await sendRequest(api, a, b)).status, 201);
    const again = await sendRequest(api, a, b);
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, EXISTS);
    assert.equal((await pairRows(a.id, b.id)).length, 1);
  });

  it('a reverse pending request becomes the match, with its chat, answering 201 matched', async () => {
    const accepted = recordEvents(t, 'matchAccepted');
    const a = await man(api);
    const b = await woman(api);
    const first = await sendRequest(api, a, b);
    const reverse = await sendRequest(api, b, a);
    assert.equal(reverse.status, 201);
    assert.equal(reverse.body.match_id, first.body.match_id, 'the existing match row');
    assert.equal(reverse.body.status, 'matched');
    const chats = await chatsOf(first.body.match_id);
    assert.equal(chats.length, 1);
    assert.equal(reverse.body.chat_id, chats[0]!.id);
    const rows = await pairRows(a.id, b.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'matched');
    const event = accepted.find((e) => e.matchId === first.body.match_id);
    assert.ok(event, 'matchAccepted published to the original requester');
    assert.equal(event.requesterId, a.id);
    assert.equal(event.chatId, chats[0]!.id);
    assert.equal(event.partner.user_id, b.id);
  });

  it('409 once the pair has a matched or declined row, in either direction', async () => {
    const a = await man(api);
    const b = await woman(api);
    const c = await woman(api);
    const m1 = await sendRequest(api, a, b);
    await api.post(`/api/matches/${m1.body.match_id}/accept`, { token: b.accessToken });
    assert.deepEqual((await sendRequest(api, a, b)).body, EXISTS);
    assert.equal((await sendRequest(api, b, a)).status, 409);

    const m2 = await sendRequest(api, a, c);
    await api.post(`/api/matches/${m2.body.match_id}/decline`, { token: c.accessToken });
    const again = await sendRequest(api, a, c);
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, EXISTS);
    const reverse = await sendRequest(api, c, a);
    assert.equal(reverse.status, 409, 'a declined request does not turn into a match');
    assert.equal((await pairRows(a.id, c.id))[0]!.status, 'declined');
  });

  it('400 for a missing, malformed or own receiver_id and for unknown fields', async () => {
    const a = await man(api);
    const b = await woman(api);
    const bodies: unknown[] = [
      {},
      { receiver_id: String(b.id) },
      { receiver_id: 0 },
      { receiver_id: -3 },
      { receiver_id: 1.5 },
      { receiver_id: null },
      { receiver_id: a.id },
      { receiver_id: b.id, message: 'hi' },
    ];
    for (const body of bodies) {
      const res = await api.post('/api/matches/request', { token: a.accessToken, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await api.post('/api/matches/request', { token: a.accessToken, rawBody: '{"receiver_id":', contentType: 'application/json' })).status, 400);
    assert.equal((await pairRows(a.id, b.id)).length, 0);
  });

  it('404 for an unknown user and for a user blocked either way; 401 without a token', async () => {
    const a = await man(api);
    const b = await woman(api);
    const c = await woman(api);
    const unknown = await sendRequest(api, a, 2_000_000_000);
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.body.error, 'string');
    assert.equal((await api.post(`/api/users/${b.id}/block`, { token: a.accessToken })).status, 204);
    assert.equal((await api.post(`/api/users/${a.id}/block`, { token: c.accessToken })).status, 204);
    assert.equal((await sendRequest(api, a, b)).status, 404, 'the blocker cannot request');
    assert.equal((await sendRequest(api, b, a)).status, 404, 'the blocked cannot request');
    assert.equal((await sendRequest(api, a, c)).status, 404, 'blocked by the receiver');
    assert.equal((await pairRows(a.id, b.id)).length + (await pairRows(a.id, c.id)).length, 0);
    assert.equal((await api.post('/api/matches/request', { body: { receiver_id: b.id } })).status, 401);
  });

  it('two people requesting each other at the same instant end with one match and one chat', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await man(api);
      const b = await woman(api);
      const [ra, rb] = await Promise.all([sendRequest(api, a, b), sendRequest(api, b, a)]);
      assert.equal(ra.status, 201);
      assert.equal(rb.status, 201);
      assert.deepEqual([ra.body.status, rb.body.status].sort(), ['matched', 'requested']);
      assert.equal(ra.body.match_id, rb.body.match_id);
      const rows = await pairRows(a.id, b.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.status, 'matched');
      const chats = await chatsOf(rows[0]!.id);
      assert.equal(chats.length, 1);
      assert.equal((ra.body.chat_id ?? rb.body.chat_id) as number, chats[0]!.id);
    }
  });
});

describe('daily request cap (MATCH_REQUESTS_PER_DAY, Korean day)', () => {
  let capped: TestApp;
  let capi: Client;
  before(async () => {
    capped = await startTestApp({ MATCH_REQUESTS_PER_DAY: '3' });
    capi = client(capped.baseUrl);
  });
  after(async () => capped.close());

  it('429 with Retry-After until the next Korean midnight; counts per Korean day', async () => {
    // 23:00 KST: an hour before the Korean day ends (14:00 UTC).
    capped.clock.now = new Date('2030-05-10T14:00:00.000Z');
    const a = await createUser(capi, { gender: 'male' });
    const others = [];
    for (let i = 0; i < 6; i++) others.push(await createUser(capi, { gender: 'female' }));
    for (const o of others.slice(0, 3)) assert.equal((await sendRequest(capi, a, o)).status, 201);

    const over = await sendRequest(capi, a, others[3]!);
    assert.equal(over.status, 429);
    assert.equal(typeof over.body.error, 'string');
    assert.equal(over.headers.get('retry-after'), '3600');
    capped.clock.now = new Date('2030-05-10T14:59:59.000Z');
    assert.equal((await sendRequest(capi, a, others[3]!)).headers.get('retry-after'), '1');

    // Answering a pending request with a request creates no new request: allowed at the cap.
    const reverse = await sendRequest(capi, others[5]!, a);
    assert.equal(reverse.status, 201);
    const back = await sendRequest(capi, a, others[5]!);
    assert.equal(back.status, 201);
    assert.equal(back.body.status, 'matched');

    // 00:00 KST: a new Korean day, a new allowance (even though it is still the 10th in UTC).
    capped.clock.now = new Date('2030-05-10T15:00:00.000Z');
    assert.equal((await sendRequest(capi, a, others[3]!)).status, 201);
  });

  it('concurrent requests by one person never exceed the cap', async () => {
    capped.clock.now = new Date('2030-06-01T03:00:00.000Z');
    const a = await createUser(capi, { gender: 'male' });
    const others = [];
    for (let i = 0; i < 6; i++) others.push(await createUser(capi, { gender: 'female' }));
    const results = await Promise.all(others.map((o) => sendRequest(capi, a, o)));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 201, 201, 429, 429, 429]);
    const rows = await capped.database.db.selectFrom('matches').select('id').where('requester_id', '=', a.id).execute();
    assert.equal(rows.length, 3);
  });
});

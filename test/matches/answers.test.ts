import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { man, recordEvents, sendRequest, woman } from './helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

/** A pending request from a (man) to b (woman), and a bystander c. */
async function pending(): Promise<{ a: TestUser; b: TestUser; c: TestUser; matchId: number }> {
  const a = await man(api);
  const b = await woman(api);
  const c = await woman(api);
  const res = await sendRequest(api, a, b);
  assert.equal(res.status, 201);
  return { a, b, c, matchId: res.body.match_id };
}

const accept = (user: TestUser, matchId: number | string) => api.post(`/api/matches/${matchId}/accept`, { token: user.accessToken });
const decline = (user: TestUser, matchId: number | string) => api.post(`/api/matches/${matchId}/decline`, { token: user.accessToken });

async function chatsOf(matchId: number) {
  return t.database.db.selectFrom('chats').select('id').where('match_id', '=', matchId).execute();
}

describe('POST /api/matches/{match_id}/accept', () => {
  it('200 matched with the chat created in the same step; idempotent; one event', async () => {
    const events = recordEvents(t, 'matchAccepted');
    const { a, b, matchId } = await pending();
    const res = await accept(b, matchId);
    assert.equal(res.status, 200);
    const chats = await chatsOf(matchId);
    assert.equal(chats.length, 1);
    assert.deepEqual(res.body, { match_id: matchId, status: 'matched', chat_id: chats[0]!.id });
    const again = await accept(b, matchId);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, res.body);
    assert.equal((await chatsOf(matchId)).length, 1);
    const mine = events.filter((e) => e.matchId === matchId);
    assert.equal(mine.length, 1, 'published once, on the transition');
    assert.deepEqual(mine[0], {
      matchId,
      chatId: chats[0]!.id,
      requesterId: a.id,
      receiverId: b.id,
      partner: { user_id: b.id, name: b.name, profile_img_url: null },
    });
  });

  it('403 for the requester, 404 for anyone else or an unknown id, 400 for a malformed id, 401 without a token', async () => {
    const { a, b, c, matchId } = await pending();
    const byRequester = await accept(a, matchId);
    assert.equal(byRequester.status, 403);
    assert.equal(typeof byRequester.body.error, 'string');
    const byStranger = await accept(c, matchId);
    assert.equal(byStranger.status, 404);
    assert.equal('match_id' in byStranger.body, false, 'nothing about the match leaks');
    assert.equal((await accept(b, 2_000_000_000)).status, 404);
    for (const bad of ['abc', '0', '-1', '1.5']) assert.equal((await accept(b, bad)).status, 400, bad);
    assert.equal((await accept(b, '99999999999')).status, 404, 'a positive integer beyond any id: not found');
    assert.equal((await api.post(`/api/matches/${matchId}/accept`)).status, 401);
    assert.equal((await t.database.db.selectFrom('matches').select('status').where('id', '=', matchId).executeTakeFirst())!.status, 'requested');
    assert.equal((await chatsOf(matchId)).length, 0);
  });

  it('409 for a declined match', async () => {
    const { b, matchId } = await pending();
    assert.equal((await decline(b, matchId)).status, 200);
    const res = await accept(b, matchId);
    assert.equal(res.status, 409);
    assert.equal(typeof res.body.error, 'string');
    assert.equal((await chatsOf(matchId)).length, 0);
  });

  it('20 parallel accepts create exactly one chat and all answer with it', async () => {
    const { b, matchId } = await pending();
    const results = await Promise.all(Array.from({ length: 20 }, () => accept(b, matchId)));
    const chats = await chatsOf(matchId);
    assert.equal(chats.length, 1);
    for (const r of results) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { match_id: matchId, status: 'matched', chat_id: chats[0]!.id });
    }
  });

  it('404 when either of the two has blocked the other', async () => {
    const { a, b, matchId } = await pending();
    await api.post(`/api/users/${b.id}/block`, { token: a.accessToken });
    assert.equal((await accept(b, matchId)).status, 404);
    assert.equal((await decline(b, matchId)).status, 404);
    assert.equal((await accept(a, matchId)).status, 404, 'hidden from the requester too');
    await api.del(`/api/users/${b.id}/block`, { token: a.accessToken });
    assert.equal((await accept(b, matchId)).status, 200);
  });
});

describe('POST /api/matches/{match_id}/decline', () => {
  it('200 declined; idempotent; the request stays declined', async () => {
    const { b, matchId } = await pending();
    const res = await decline(b, matchId);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { match_id: matchId, status: 'declined' });
    assert.deepEqual((await decline(b, matchId)).body, { match_id: matchId, status: 'declined' });
    const row = await t.database.db.selectFrom('matches').select('status').where('id', '=', matchId).executeTakeFirst();
    assert.equal(row!.status, 'declined');
  });

  it('403 for the requester, 404 for anyone else, 409 for a matched match', async () => {
    const { a, b, c, matchId } = await pending();
    assert.equal((await decline(a, matchId)).status, 403);
    assert.equal((await decline(c, matchId)).status, 404);
    assert.equal((await decline(b, 2_000_000_000)).status, 404);
    assert.equal((await decline(b, 'x')).status, 400);
    await accept(b, matchId);
    const res = await decline(b, matchId);
    assert.equal(res.status, 409);
    const row = await t.database.db.selectFrom('matches').select('status').where('id', '=', matchId).executeTakeFirst();
    assert.equal(row!.status, 'matched');
  });
});

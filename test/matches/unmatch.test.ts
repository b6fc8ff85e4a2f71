import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { closeSockets, connect, nextEvent, request } from '../helpers/socket.js';
import { ids, man, recommendations, sendRequest, woman } from './helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp({ MATCH_REQUESTS_PER_DAY: '3' });
  api = client(t.baseUrl);
});
afterEach(async () => closeSockets());
after(async () => t.close());

const post = (user: TestUser, path: string, body?: unknown) => api.post(path, { token: user.accessToken, body });
const cancel = (user: TestUser, matchId: number | string) => post(user, `/api/matches/${matchId}/cancel`);
const unmatch = (user: TestUser, matchId: number | string) => post(user, `/api/matches/${matchId}/unmatch`);
const past = (user: TestUser) => api.get('/api/matches/past', { token: user.accessToken });
const matchList = async (user: TestUser) => (await api.get('/api/matches', { token: user.accessToken })).body as Array<{ match_id: number }>;
const chatList = async (user: TestUser) => (await api.get('/api/chats', { token: user.accessToken })).body as Array<{ chat_id: number }>;

/** a (man) requested b (woman); c is a bystander. */
async function requested() {
  const a = await man(api);
  const b = await woman(api);
  const c = await woman(api);
  const res = await sendRequest(api, a, b);
  assert.equal(res.status, 201);
  return { a, b, c, matchId: res.body.match_id as number };
}

/** a and b matched through the API, with their chat. */
async function matched() {
  const { a, b, c, matchId } = await requested();
  const res = await post(b, `/api/matches/${matchId}/accept`);
  assert.equal(res.status, 200);
  return { a, b, c, matchId, chatId: res.body.chat_id as number };
}

describe('POST /api/matches/{match_id}/cancel', () => {
  it('204 for the requester: gone from both lists, and the pair may request again', async () => {
    const { a, b, matchId } = await requested();
    const res = await cancel(a, matchId);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.ok(!(await matchList(a)).some((m) => m.match_id === matchId));
    assert.ok(!(await matchList(b)).some((m) => m.match_id === matchId));
    const again = await sendRequest(api, a, b);
    assert.equal(again.status, 201);
    assert.equal(again.body.status, 'requested');
    // The receiver may now be the one to ask, too: cancel again, then b requests a.
    assert.equal((await cancel(a, again.body.match_id)).status, 204);
    const reverse = await sendRequest(api, b, a);
    assert.equal(reverse.status, 201);
    assert.equal(reverse.body.status, 'requested');
  });

  it('403 for the receiver, 404 for anyone else and unknown ids, 400 malformed, 401 without a token', async () => {
    const { a, b, c, matchId } = await requested();
    const byReceiver = await cancel(b, matchId);
    assert.equal(byReceiver.status, 403);
    assert.equal(byReceiver.body.error, 'Only the requester can cancel a match request');
    const byOther = await cancel(c, matchId);
    assert.equal(byOther.status, 404);
    assert.deepEqual(byOther.body, { error: 'Match not found' });
    assert.equal((await cancel(a, 2147483647)).status, 404);
    assert.equal((await cancel(a, 'abc')).status, 400);
    assert.equal((await cancel(a, 0)).status, 400);
    assert.equal((await api.post(`/api/matches/${matchId}/cancel`)).status, 401);
    // Still there for both.
    assert.ok((await matchList(b)).some((m) => m.match_id === matchId));
  });

  it('409 once answered (accepted or declined); 404 once cancelled', async () => {
    const one = await requested();
    assert.equal((await post(one.b, `/api/matches/${one.matchId}/accept`)).status, 200);
    const accepted = await cancel(one.a, one.matchId);
    assert.equal(accepted.status, 409);
    assert.equal(accepted.body.error, 'This match request was already answered');
    const two = await requested();
    assert.equal((await post(two.b, `/api/matches/${two.matchId}/decline`)).status, 200);
    assert.equal((await cancel(two.a, two.matchId)).status, 409);
    const three = await requested();
    assert.equal((await cancel(three.a, three.matchId)).status, 204);
    assert.equal((await cancel(three.a, three.matchId)).status, 404);
    assert.equal((await post(three.b, `/api/matches/${three.matchId}/accept`)).status, 404);
  });

  it('a withdrawn request still counts toward the daily cap (MATCH_REQUESTS_PER_DAY=3 here)', async () => {
    const a = await man(api);
    const b = await woman(api);
    for (let i = 0; i < 3; i += 1) {
      const res = await sendRequest(api, a, b);
      assert.equal(res.status, 201);
      assert.equal((await cancel(a, res.body.match_id)).status, 204);
    }
    const fourth = await sendRequest(api, a, b);
    assert.equal(fourth.status, 429);
  });

  it('404 while a block stands between the two (the request is hidden)', async () => {
    const { a, b, matchId } = await requested();
    assert.equal((await post(b, `/api/users/${a.id}/block`)).status, 204);
    assert.equal((await cancel(a, matchId)).status, 404);
  });
});

describe('POST /api/matches/{match_id}/unmatch', () => {
  it('204 for either partner; gone from both match and chat lists; twice is 204 again', async () => {
    const { a, b, matchId, chatId } = await matched();
    assert.ok((await chatList(a)).some((c) => c.chat_id === chatId));
    const res = await unmatch(b, matchId);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    for (const user of [a, b]) {
      assert.ok(!(await matchList(user)).some((m) => m.match_id === matchId));
      assert.ok(!(await chatList(user)).some((c) => c.chat_id === chatId));
      for (const status of ['matched', 'declined', 'requested']) {
        const list = await api.get(`/api/matches?status=${status}`, { token: user.accessToken });
        assert.ok(!(list.body as Array<{ match_id: number }>).some((m) => m.match_id === matchId));
      }
    }
    assert.equal((await unmatch(b, matchId)).status, 204);
    assert.equal((await unmatch(a, matchId)).status, 204);
  });

  it("its chat's REST routes answer 404 to both; the messages stay stored", async () => {
    const { a, b, matchId, chatId } = await matched();
    const sent = await post(a, `/api/chats/${chatId}/messages`, { content: '안녕하세요' });
    assert.equal(sent.status, 201);
    assert.equal((await unmatch(a, matchId)).status, 204);
    for (const user of [a, b]) {
      const history = await api.get(`/api/chats/${chatId}/messages`, { token: user.accessToken });
      assert.equal(history.status, 404);
      assert.deepEqual(history.body, { error: 'Chat not found' });
      assert.equal((await post(user, `/api/chats/${chatId}/read`, {})).status, 404);
      assert.equal((await post(user, `/api/chats/${chatId}/messages`, { content: 'hello?' })).status, 404);
    }
    const stored = await t.database.db.selectFrom('messages').select('content').where('chat_id', '=', chatId).execute();
    assert.deepEqual(stored.map((m) => m.content), ['안녕하세요'], 'kept as moderation evidence, nothing new added');
  });

  it('socket events on its chat get an error ack; the other side is told nothing', async () => {
    const { a, b, matchId, chatId } = await matched();
    const sa = await connect(t.baseUrl, a.accessToken);
    const sb = await connect(t.baseUrl, b.accessToken);
    const delivered = nextEvent(sb, 'newMessage');
    const ok = await request(sa, 'sendMessage', { chat_id: chatId, content: 'before' });
    assert.equal(ok.ok, true);
    await delivered;
    const heard: string[] = [];
    sb.onAny((event: string) => heard.push(event));
    assert.equal((await unmatch(a, matchId)).status, 204);
    for (const socket of [sa, sb]) {
      assert.deepEqual(await request(socket, 'sendMessage', { chat_id: chatId, content: 'after' }), { ok: false, error: 'Chat not found' });
      assert.deepEqual(await request(socket, 'markRead', { chat_id: chatId }), { ok: false, error: 'Chat not found' });
      assert.deepEqual(await request(socket, 'typing', { chat_id: chatId }), { ok: false, error: 'Chat not found' });
    }
    // A message in another chat still arrives, so anything about the unmatch would have by now.
    const other = await woman(api);
    const arrived = nextEvent(sb, 'matchRequested');
    const res = await sendRequest(api, other, b);
    assert.equal(res.status, 201);
    await arrived;
    assert.deepEqual(heard, ['matchRequested']);
  });

  it('never recommended again; a new request either way is 404 as for a blocked user', async () => {
    const { a, b, matchId } = await matched();
    assert.equal((await unmatch(a, matchId)).status, 204);
    const ab = await sendRequest(api, a, b);
    assert.equal(ab.status, 404);
    assert.deepEqual(ab.body, { error: 'User not found' });
    assert.equal((await sendRequest(api, b, a)).status, 404);
    // Tomorrow's set does not bring them back either.
    const saved = t.clock.now;
    try {
      t.clock.now = new Date(saved.getTime() + 3 * 86_400_000);
      assert.ok(!ids((await recommendations(api, a, 50)).body).includes(b.id));
      assert.ok(!ids((await recommendations(api, b, 50)).body).includes(a.id));
    } finally {
      t.clock.now = saved;
    }
    // Accept and decline of the ended match: not found.
    assert.equal((await post(b, `/api/matches/${matchId}/accept`)).status, 404);
    assert.equal((await post(b, `/api/matches/${matchId}/decline`)).status, 404);
    assert.equal((await cancel(a, matchId)).status, 404);
  });

  it('404 for anyone else and unknown ids, 409 for a request never accepted, 400 malformed, 401 without a token', async () => {
    const { a, b, c, matchId } = await matched();
    const byOther = await unmatch(c, matchId);
    assert.equal(byOther.status, 404);
    assert.deepEqual(byOther.body, { error: 'Match not found' });
    assert.equal((await unmatch(a, 2147483647)).status, 404);
    assert.equal((await unmatch(a, '-1')).status, 400);
    assert.equal((await api.post(`/api/matches/${matchId}/unmatch`)).status, 401);
    const pending = await requested();
    const early = await unmatch(pending.a, pending.matchId);
    assert.equal(early.status, 409);
    assert.equal(early.body.error, 'Only a matched match can be unmatched');
    assert.equal((await unmatch(pending.b, pending.matchId)).status, 409);
    // Unaffected.
    assert.ok((await matchList(b)).some((m) => m.match_id === matchId));
  });

  it('works while a block stands (someone who blocked may also end the match)', async () => {
    const { a, b, matchId } = await matched();
    assert.equal((await post(a, `/api/users/${b.id}/block`)).status, 204);
    assert.equal((await unmatch(a, matchId)).status, 204);
    assert.equal((await api.del(`/api/users/${b.id}/block`, { token: a.accessToken })).status, 204);
    assert.ok(!(await matchList(a)).some((m) => m.match_id === matchId), 'the unblock does not bring it back');
    assert.equal((await sendRequest(api, a, b)).status, 404);
  });
});

describe('GET /api/matches/past', () => {
  it('unmatched (either side) and blocked people, newest first, each once; reports work for them', async () => {
    const one = await matched();
    const two = await matched(); // two.a will be unmatched by two.b
    const blocked = await woman(api);
    assert.equal((await unmatch(one.a, one.matchId)).status, 204);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await post(one.a, `/api/users/${blocked.id}/block`)).status, 204);

    const mine = await past(one.a);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.length, 2);
    assert.deepEqual(
      mine.body.map((p: { user_id: number; name: string; reason: string }) => [p.user_id, p.name, p.reason]),
      [
        [blocked.id, blocked.name, 'blocked'],
        [one.b.id, one.b.name, 'unmatched'],
      ],
    );
    for (const p of mine.body) assert.match(p.ended_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The one who was unmatched sees it too; the blocked person does not see who blocked them.
    assert.deepEqual(
      (await past(one.b)).body.map((p: { user_id: number; reason: string }) => [p.user_id, p.reason]),
      [[one.a.id, 'unmatched']],
    );
    assert.deepEqual((await past(blocked)).body, []);
    assert.deepEqual((await past(two.a)).body, []);

    // Blocking the unmatched person as well: listed once, as the latest ending.
    assert.equal((await post(one.a, `/api/users/${one.b.id}/block`)).status, 204);
    const again = (await past(one.a)).body as Array<{ user_id: number; reason: string }>;
    assert.deepEqual(again.map((p) => [p.user_id, p.reason]), [
      [one.b.id, 'blocked'],
      [blocked.id, 'blocked'],
    ]);

    // Reports work whatever the block or unmatch state, both ways.
    for (const [from, to] of [
      [one.a, one.b],
      [one.b, one.a],
      [one.a, blocked],
      [blocked, one.a],
    ] as const) {
      const report = await post(from, `/api/users/${to.id}/report`, { reason: 'harassment' });
      assert.equal(report.status, 201, `${from.name} → ${to.name}`);
    }
  });

  it('only the last 30 days; a lifted block is no longer listed; 401 without a token', async () => {
    const { a, b, matchId } = await matched();
    const c = await woman(api);
    assert.equal((await unmatch(b, matchId)).status, 204);
    assert.equal((await post(a, `/api/users/${c.id}/block`)).status, 204);
    assert.equal((await past(a)).body.length, 2);
    const saved = t.clock.now;
    try {
      t.clock.now = new Date(saved.getTime() + 29 * 86_400_000);
      assert.equal((await past(a)).body.length, 2);
      t.clock.now = new Date(saved.getTime() + 31 * 86_400_000);
      // The unmatch was stamped with the app's clock; the block with the database's: both out of the window now.
      assert.deepEqual((await past(a)).body, []);
    } finally {
      t.clock.now = saved;
    }
    assert.equal((await api.del(`/api/users/${c.id}/block`, { token: a.accessToken })).status, 204);
    assert.deepEqual((await past(a)).body.map((p: { user_id: number }) => p.user_id), [b.id]);
    assert.equal((await api.get('/api/matches/past')).status, 401);
  });
});

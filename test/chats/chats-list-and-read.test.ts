import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { insertBlock, insertChat, matchedPair, type Pair } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

const send = (p: Pair, who: 'a' | 'b', content: string) =>
  api.post(`/api/chats/${p.chatId}/messages`, { token: p[who].accessToken, body: { content } });
const chatsOf = async (token: string) => {
  const res = await api.get('/api/chats', { token });
  assert.equal(res.status, 200);
  return res.body as any[];
};
const unread = async (p: Pair, who: 'a' | 'b') =>
  (await chatsOf(p[who].accessToken)).find((c) => c.chat_id === p.chatId)!.unread_count;

describe('GET /api/chats', () => {
  it('lists a new chat with its partner, no last message and nothing unread', async () => {
    const p = await matchedPair(t, api);
    await api.put('/api/users/me', { token: p.b.accessToken, body: { profile_img_url: 'https://img.example.com/b.png' } });
    const forA = await chatsOf(p.a.accessToken);
    // active_recently (whether b used the API in the last 24 h) is recorded in the background: tested in test/users/discovery.
    assert.equal(typeof forA[0].partner.active_recently, 'boolean');
    delete forA[0].partner.active_recently;
    assert.deepEqual(forA, [
      {
        chat_id: p.chatId,
        partner: { user_id: p.b.id, name: p.b.name, profile_img_url: 'https://img.example.com/b.png' },
        last_message: null,
        unread_count: 0,
      },
    ]);
    const forB = await chatsOf(p.b.accessToken);
    assert.equal(typeof forB[0].partner.active_recently, 'boolean');
    delete forB[0].partner.active_recently;
    assert.deepEqual(forB[0].partner, { user_id: p.a.id, name: p.a.name, profile_img_url: null });
  });

  it('shows the last message and orders chats by most recent activity', async () => {
    const me = await createUser(api);
    const x = await createUser(api);
    const y = await createUser(api);
    const first = await insertChat(t.database.db, me.id, x.id);
    const second = await insertChat(t.database.db, y.id, me.id);
    let ids = (await chatsOf(me.accessToken)).map((c) => c.chat_id);
    assert.deepEqual(ids, [second.chatId, first.chatId], 'newer chat first while both are empty');
    const sent = await api.post(`/api/chats/${first.chatId}/messages`, { token: x.accessToken, body: { content: '안녕하세요' } });
    assert.equal(sent.status, 201);
    const list = await chatsOf(me.accessToken);
    ids = list.map((c) => c.chat_id);
    assert.deepEqual(ids, [first.chatId, second.chatId], 'a message moves its chat to the top');
    assert.deepEqual(list[0].last_message, {
      message_id: sent.body.message_id,
      sender_id: x.id,
      content: '안녕하세요',
      sent_at: sent.body.sent_at,
    });
    await api.post(`/api/chats/${second.chatId}/messages`, { token: me.accessToken, body: { content: 'hi y' } });
    assert.deepEqual((await chatsOf(me.accessToken)).map((c) => c.chat_id), [second.chatId, first.chatId]);
  });

  it('leaves out chats whose match is not matched', async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const pending = await insertChat(t.database.db, a.id, b.id, 'requested');
    assert.deepEqual(await chatsOf(a.accessToken), []);
    const res = await api.get(`/api/chats/${pending.chatId}/messages`, { token: a.accessToken });
    assert.equal(res.status, 404);
    assert.equal((await api.post(`/api/chats/${pending.chatId}/messages`, { token: a.accessToken, body: { content: 'x' } })).status, 404);
  });

  it('401 without a token', async () => {
    const res = await api.get('/api/chats');
    assert.equal(res.status, 401);
    assert.equal(typeof res.body.error, 'string');
  });
});

describe('unread counts and read marks', () => {
  it("counts the partner's messages after my read mark, through sends and reads", async () => {
    const p = await matchedPair(t, api);
    const m1 = (await send(p, 'a', 'one')).body.message_id;
    await send(p, 'a', 'two');
    const m3 = (await send(p, 'a', 'three')).body.message_id;
    assert.equal(await unread(p, 'b'), 3);
    assert.equal(await unread(p, 'a'), 0, 'my own messages are never unread');

    assert.equal((await api.post(`/api/chats/${p.chatId}/read`, { token: p.b.accessToken, body: { message_id: m1 } })).status, 204);
    assert.equal(await unread(p, 'b'), 2);
    await send(p, 'b', 'reply');
    assert.equal(await unread(p, 'a'), 1);
    assert.equal(await unread(p, 'b'), 2, "sending does not move the sender's read mark");

    // Without message_id: up to the newest message of the chat.
    assert.equal((await api.post(`/api/chats/${p.chatId}/read`, { token: p.b.accessToken, body: {} })).status, 204);
    assert.equal(await unread(p, 'b'), 0);
    // The mark never moves backwards.
    assert.equal((await api.post(`/api/chats/${p.chatId}/read`, { token: p.b.accessToken, body: { message_id: m1 } })).status, 204);
    assert.equal(await unread(p, 'b'), 0);
    await send(p, 'a', 'four');
    assert.equal(await unread(p, 'b'), 1);
    assert.ok(m3 > m1);
    // A body-less POST reads up to the newest too.
    assert.equal((await api.post(`/api/chats/${p.chatId}/read`, { token: p.b.accessToken })).status, 204);
    assert.equal(await unread(p, 'b'), 0);
  });

  it('refuses a message id of another chat (404) and bad bodies (400)', async () => {
    const p = await matchedPair(t, api);
    const q = await matchedPair(t, api);
    const other = (await send(q, 'a', 'elsewhere')).body.message_id;
    const path = `/api/chats/${p.chatId}/read`;
    const res = await api.post(path, { token: p.a.accessToken, body: { message_id: other } });
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'Message not found in this chat');
    assert.equal((await api.post(path, { token: p.a.accessToken, body: { message_id: '1' } })).status, 400);
    assert.equal((await api.post(path, { token: p.a.accessToken, body: { message_id: 0 } })).status, 400);
    assert.equal((await api.post(path, { token: p.a.accessToken, body: { message_id: 1, x: 1 } })).status, 400);
    assert.equal((await api.post(path, { token: p.a.accessToken, body: {} })).status, 204, 'an empty chat: nothing to mark');
    assert.equal((await api.post('/api/chats/abc/read', { token: p.a.accessToken, body: {} })).status, 400);
    assert.equal((await api.post('/api/chats/-3/read', { token: p.a.accessToken, body: {} })).status, 400);
  });
});

describe('who may see a chat', () => {
  it('a third user gets 404 on every chat route and does not see the chat', async () => {
    const p = await matchedPair(t, api);
    const m = (await send(p, 'a', 'private')).body.message_id;
    const stranger = await createUser(api);
    const token = stranger.accessToken;
    for (const res of [
      await api.get(`/api/chats/${p.chatId}/messages`, { token }),
      await api.get(`/api/chats/${p.chatId}/messages?after=1`, { token }),
      await api.post(`/api/chats/${p.chatId}/read`, { token, body: { message_id: m } }),
      await api.post(`/api/chats/${p.chatId}/messages`, { token, body: { content: 'let me in' } }),
    ]) {
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: 'Chat not found' });
    }
    assert.deepEqual(await chatsOf(token), []);
    assert.equal((await api.get(`/api/chats/99999/messages`, { token: p.a.accessToken })).status, 404);
    const history = await api.get(`/api/chats/${p.chatId}/messages`, { token: p.a.accessToken });
    assert.equal(history.body.length, 1, "the stranger's attempt stored nothing");
  });

  it('a block (either way) hides the chat from both and refuses messages with 403', async () => {
    const p = await matchedPair(t, api);
    await send(p, 'a', 'before the block');
    await insertBlock(t.database.db, p.b.id, p.a.id);
    assert.deepEqual(await chatsOf(p.a.accessToken), []);
    assert.deepEqual(await chatsOf(p.b.accessToken), []);
    for (const who of ['a', 'b'] as const) {
      const res = await send(p, who, 'hello?');
      assert.equal(res.status, 403);
      assert.match(res.body.error, /blocked/i);
      assert.equal((await api.get(`/api/chats/${p.chatId}/messages`, { token: p[who].accessToken })).status, 404);
      assert.equal((await api.post(`/api/chats/${p.chatId}/read`, { token: p[who].accessToken, body: {} })).status, 404);
    }
    await t.database.db.deleteFrom('blocks').where('blocker_id', '=', p.b.id).execute();
    const back = await chatsOf(p.a.accessToken);
    assert.equal(back.length, 1, 'unblocking brings the chat back');
    assert.equal(back[0].last_message.content, 'before the block');
  });

  it("a deleted account's chats are gone for the partner", async () => {
    const p = await matchedPair(t, api);
    await send(p, 'a', 'bye');
    const del = await api.del('/api/users/me', { token: p.a.accessToken, body: { password: p.a.password } });
    assert.equal(del.status, 204);
    assert.deepEqual(await chatsOf(p.b.accessToken), []);
    assert.equal((await api.get(`/api/chats/${p.chatId}/messages`, { token: p.b.accessToken })).status, 404);
    assert.equal((await send(p, 'b', 'anyone?')).status, 404);
  });
});

describe('OpenAPI', () => {
  it('documents every chat route with its schemas', async () => {
    const doc = (await api.get('/openapi.json')).body;
    const paths = doc.paths;
    assert.ok(paths['/api/chats'].get.responses['200']);
    assert.ok(paths['/api/chats/{chat_id}/messages'].get.parameters.some((p: any) => p.name === 'after'));
    const send = paths['/api/chats/{chat_id}/messages'].post;
    assert.deepEqual(Object.keys(send.responses).sort(), ['201', '400', '401', '403', '404', '429', '503']);
    assert.ok(send.requestBody.content['application/json'].schema.properties.client_msg_id);
    assert.ok(paths['/api/chats/{chat_id}/read'].post.responses['204']);
  });
});

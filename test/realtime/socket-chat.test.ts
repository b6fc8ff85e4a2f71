import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { matchedPair } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { closeSockets, connect, eventually, nextEvent, record, request } from '../helpers/socket.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
afterEach(closeSockets);
after(async () => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sendMessage', () => {
  it('acks the stored message, then every socket of both members gets newMessage', async () => {
    const p = await matchedPair(t, api);
    const phone = await connect(t.baseUrl, p.a.accessToken);
    const laptop = await connect(t.baseUrl, p.a.accessToken);
    const partner = await connect(t.baseUrl, p.b.accessToken);
    const outsider = await connect(t.baseUrl, (await createUser(api)).accessToken);
    const seen = { phone: record(phone, 'newMessage'), laptop: record(laptop, 'newMessage'), partner: record(partner, 'newMessage'), outsider: record(outsider, 'newMessage') };

    const ack = await request(phone, 'sendMessage', { chat_id: p.chatId, content: '  반가워요 ', client_msg_id: 'c-1' });
    assert.equal(ack.ok, true);
    assert.deepEqual(Object.keys(ack.message).sort(), ['chat_id', 'client_msg_id', 'content', 'message_id', 'sender_id', 'sent_at']);
    assert.equal(ack.message.content, '반가워요');
    assert.equal(ack.message.sender_id, p.a.id);
    assert.equal(ack.message.chat_id, p.chatId);
    assert.equal(ack.message.client_msg_id, 'c-1');
    const stored = await t.database.db.selectFrom('messages').selectAll().where('id', '=', ack.message.message_id).executeTakeFirst();
    assert.equal(stored?.content, '반가워요', 'stored before the ack');

    await eventually(() => {
      assert.deepEqual(seen.partner, [ack.message]);
      assert.deepEqual(seen.laptop, [ack.message]);
      assert.deepEqual(seen.phone, [ack.message]);
    });
    await sleep(50);
    assert.deepEqual(seen.outsider, []);
  });

  it('the REST fallback fans out the same newMessage', async () => {
    const p = await matchedPair(t, api);
    const partner = await connect(t.baseUrl, p.b.accessToken);
    const got = nextEvent(partner, 'newMessage');
    const res = await api.post(`/api/chats/${p.chatId}/messages`, { token: p.a.accessToken, body: { content: 'via REST', client_msg_id: 'r-1' } });
    assert.equal(res.status, 201);
    assert.deepEqual(await got, res.body);
  });

  it('a retry with the same client_msg_id acks the original, stores and fans out nothing new', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const seen = record(b, 'newMessage');
    const payload = { chat_id: p.chatId, content: 'only once', client_msg_id: 'dup-42' };
    const first = await request(a, 'sendMessage', payload);
    const second = await request(a, 'sendMessage', payload);
    // Retries racing each other (same batch or not) settle on the same message too.
    const raced = await Promise.all([1, 2, 3].map(() => request(a, 'sendMessage', { ...payload, client_msg_id: 'dup-43' })));
    assert.deepEqual(second, first);
    assert.equal(new Set(raced.map((r) => r.message.message_id)).size, 1);
    await eventually(() => assert.equal(seen.length, 2));
    await sleep(100);
    assert.equal(seen.length, 2);
    const history = await api.get(`/api/chats/${p.chatId}/messages`, { token: p.b.accessToken });
    assert.equal(history.body.length, 2);
  });

  it('200 rapid messages all arrive, in message id order, on every socket', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const atB = record(b, 'newMessage');
    const atA = record(a, 'newMessage');
    const acks = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(a, 'sendMessage', { chat_id: p.chatId, content: `rapid ${i}`, client_msg_id: `rapid-${i}` })),
    );
    assert.ok(acks.every((x) => x.ok), JSON.stringify(acks.find((x) => !x.ok)));
    const ackIds = acks.map((x) => x.message.message_id);
    assert.deepEqual(ackIds, [...ackIds].sort((x, y) => x - y), 'ids follow the send order of one socket');
    await eventually(() => assert.equal(atB.length, 200));
    assert.deepEqual(atB.map((m) => m.message_id), ackIds);
    assert.deepEqual(atB.map((m) => m.content), acks.map((_, i) => `rapid ${i}`));
    await eventually(() => assert.equal(atA.length, 200));
    assert.deepEqual(atA.map((m) => m.message_id), ackIds);
  });

  it('both members sending at once: each socket sees the chat in id order', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const atA = record(a, 'newMessage');
    const atB = record(b, 'newMessage');
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => request(i % 2 ? a : b, 'sendMessage', { chat_id: p.chatId, content: `both ${i}` })),
    );
    await eventually(() => assert.equal(atA.length + atB.length, 120));
    const sorted = (xs: any[]) => [...xs].sort((x, y) => x.message_id - y.message_id);
    assert.deepEqual(atA, sorted(atA));
    assert.deepEqual(atB, atA);
  });

  it('catch-up after a reconnect with after= returns exactly what was missed, oldest first', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    let b = await connect(t.baseUrl, p.b.accessToken);
    const before = nextEvent(b, 'newMessage');
    await request(a, 'sendMessage', { chat_id: p.chatId, content: 'seen live' });
    const lastSeen = (await before).message_id;
    b.close();
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push((await request(a, 'sendMessage', { chat_id: p.chatId, content: `missed ${i}` })).message);
    b = await connect(t.baseUrl, p.b.accessToken);
    const res = await api.get(`/api/chats/${p.chatId}/messages?after=${lastSeen}`, { token: p.b.accessToken });
    assert.deepEqual(res.body, missed.map(({ message_id, sender_id, content, sent_at }) => ({ message_id, sender_id, content, sent_at })));
    const live = nextEvent(b, 'newMessage');
    const next = await request(a, 'sendMessage', { chat_id: p.chatId, content: 'live again' });
    assert.deepEqual(await live, next.message);
  });
});

describe('fan-out gaps', () => {
  it('a message stored without its fan-out (its process died after the commit) reaches a connected partner before the next one', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const atB = record(b, 'newMessage');
    const first = (await request(a, 'sendMessage', { chat_id: p.chatId, content: 'before the crash' })).message;
    await eventually(() => assert.equal(atB.length, 1));
    // Committed by "another process" that died before telling anyone: no fan-out at all.
    const orphan = await t.database.db
      .insertInto('messages')
      .values({ chat_id: p.chatId, sender_id: p.a.id, content: 'stored, never pushed', client_msg_id: 'orphan-1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const next = (await request(a, 'sendMessage', { chat_id: p.chatId, content: 'after the crash' })).message;
    await eventually(() => assert.equal(atB.length, 3), 5000);
    assert.deepEqual(atB.map((m) => m.message_id), [first.message_id, orphan.id, next.message_id]);
    assert.equal(atB[1].content, 'stored, never pushed');
    assert.equal(atB[1].client_msg_id, 'orphan-1');
  });
});

describe('markRead and typing', () => {
  it('markRead acks { ok: true } and the partner gets messagesRead', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const m1 = (await request(a, 'sendMessage', { chat_id: p.chatId, content: 'one' })).message.message_id;
    const m2 = (await request(a, 'sendMessage', { chat_id: p.chatId, content: 'two' })).message.message_id;
    let read = nextEvent(a, 'messagesRead');
    assert.deepEqual(await request(b, 'markRead', { chat_id: p.chatId, message_id: m1 }), { ok: true });
    assert.deepEqual(await read, { chat_id: p.chatId, user_id: p.b.id, message_id: m1 });
    read = nextEvent(a, 'messagesRead');
    assert.deepEqual(await request(b, 'markRead', { chat_id: p.chatId }), { ok: true });
    assert.deepEqual(await read, { chat_id: p.chatId, user_id: p.b.id, message_id: m2 });
    const list = await api.get('/api/chats', { token: p.b.accessToken });
    assert.equal(list.body[0].unread_count, 0);
    // REST reads notify too.
    const m3 = (await request(a, 'sendMessage', { chat_id: p.chatId, content: 'three' })).message.message_id;
    read = nextEvent(a, 'messagesRead');
    await api.post(`/api/chats/${p.chatId}/read`, { token: p.b.accessToken, body: { message_id: m3 } });
    assert.deepEqual(await read, { chat_id: p.chatId, user_id: p.b.id, message_id: m3 });
    const wrong = await request(b, 'markRead', { chat_id: p.chatId, message_id: m3 + 1000 });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error, 'Message not found in this chat');
  });

  it('typing reaches the partner only, and is not stored', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const a2 = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const mine = record(a2, 'typing');
    const got = nextEvent(b, 'typing');
    assert.deepEqual(await request(a, 'typing', { chat_id: p.chatId }), { ok: true });
    assert.deepEqual(await got, { chat_id: p.chatId, user_id: p.a.id });
    a.emit('typing', { chat_id: p.chatId }); // without an ack, as clients usually send it
    await nextEvent(b, 'typing');
    assert.deepEqual(mine, []);
    const history = await api.get(`/api/chats/${p.chatId}/messages`, { token: p.a.accessToken });
    assert.deepEqual(history.body, []);
  });
});

describe('match events', () => {
  it('relays matchRequested to the receiver and matchAccepted to the requester', async () => {
    const requester = await createUser(api);
    const receiver = await createUser(api);
    const rs = await connect(t.baseUrl, requester.accessToken);
    const rc = await connect(t.baseUrl, receiver.accessToken);
    const requested = nextEvent(rc, 'matchRequested');
    t.app.events.publish('matchRequested', {
      matchId: 7,
      receiverId: receiver.id,
      requester: { user_id: requester.id, name: requester.name, age: 31, profile_img_url: null },
      compatibilityScore: 88,
    });
    assert.deepEqual(await requested, {
      match_id: 7,
      requester: { user_id: requester.id, name: requester.name, age: 31, profile_img_url: null },
      compatibility_score: 88,
    });
    const accepted = nextEvent(rs, 'matchAccepted');
    t.app.events.publish('matchAccepted', {
      matchId: 7,
      chatId: 9,
      requesterId: requester.id,
      receiverId: receiver.id,
      partner: { user_id: receiver.id, name: receiver.name, profile_img_url: 'https://x.example/p.png' },
    });
    assert.deepEqual(await accepted, {
      match_id: 7,
      chat_id: 9,
      partner: { user_id: receiver.id, name: receiver.name, profile_img_url: 'https://x.example/p.png' },
    });
  });
});

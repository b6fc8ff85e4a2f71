import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { insertBlock, matchedPair } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { closeSockets, connect, nextEvent, record, request } from '../helpers/socket.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
afterEach(closeSockets);
after(async () => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('refusals', () => {
  it('a third user is refused on every event that takes a chat id, and the members hear nothing', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const echoes = [nextEvent(a, 'newMessage'), nextEvent(b, 'newMessage')];
    const m = (await request(a, 'sendMessage', { chat_id: p.chatId, content: 'ours' })).message.message_id;
    await Promise.all(echoes);
    const heard = [...['newMessage', 'typing', 'messagesRead'].map((e) => record(a, e)), ...['newMessage', 'typing', 'messagesRead'].map((e) => record(b, e))];
    const stranger = await connect(t.baseUrl, (await createUser(api)).accessToken);
    for (const [event, payload] of [
      ['sendMessage', { chat_id: p.chatId, content: 'hi' }],
      ['markRead', { chat_id: p.chatId, message_id: m }],
      ['markRead', { chat_id: p.chatId }],
      ['typing', { chat_id: p.chatId }],
    ] as const) {
      assert.deepEqual(await request(stranger, event, payload), { ok: false, error: 'Chat not found' }, event);
    }
    await sleep(100);
    assert.ok(heard.every((h) => h.length === 0));
  });

  it('a blocked pair cannot send or type; the sender gets ok: false', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const seen = record(b, 'newMessage');
    await insertBlock(t.database.db, p.a.id, p.b.id);
    const res = await request(b, 'sendMessage', { chat_id: p.chatId, content: 'hey' });
    assert.equal(res.ok, false);
    assert.match(res.error, /blocked/i);
    const fromA = await request(a, 'sendMessage', { chat_id: p.chatId, content: 'hey' });
    assert.equal(fromA.ok, false);
    assert.equal((await request(a, 'typing', { chat_id: p.chatId })).ok, false);
    await sleep(50);
    assert.deepEqual(seen, []);
  });

  it('malformed payloads get { ok: false, error } and harm no one', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    const b = await connect(t.baseUrl, p.b.accessToken);
    const bad: unknown[] = [
      { chat_id: String(p.chatId), content: 'id as a string' },
      { chat_id: p.chatId },
      { chat_id: p.chatId, content: 5 },
      { chat_id: p.chatId, content: '' },
      { chat_id: p.chatId, content: '   ' },
      { chat_id: p.chatId, content: 'x'.repeat(5001) },
      { chat_id: p.chatId, content: 'x', client_msg_id: 'y'.repeat(65) },
      { chat_id: p.chatId, content: 'x', extra: 1 },
      { chat_id: 1.5, content: 'x' },
      { chat_id: -1, content: 'x' },
      'a string',
      null,
      [p.chatId, 'x'],
      42,
    ];
    for (const payload of bad) {
      const res = await request(a, 'sendMessage', payload);
      assert.equal(res.ok, false, JSON.stringify(payload)?.slice(0, 50));
      assert.equal(typeof res.error, 'string');
      assert.deepEqual(Object.keys(res).sort(), ['error', 'ok']);
    }
    assert.equal((await request(a, 'markRead', { chat_id: String(p.chatId) })).ok, false);
    assert.equal((await request(a, 'markRead', { chat_id: p.chatId, message_id: '3' })).ok, false);
    assert.equal((await request(a, 'typing', {})).ok, false);
    assert.equal((await request(a, 'sendMessage')).ok, false, 'no payload at all, only the ack');
    assert.deepEqual(await request(a, 'noSuchEvent', {}), { ok: false, error: 'Unknown event' });
    // Events without an ack callback, malformed or not, crash nothing.
    a.emit('sendMessage', { chat_id: 'x' });
    a.emit('sendMessage');
    a.emit('markRead', null);
    a.emit('sendMessage', { chat_id: p.chatId, content: 'fire and forget' });
    const got = nextEvent(b, 'newMessage');
    assert.equal((await got).content, 'fire and forget');
    assert.ok(a.connected && b.connected);
    const ok = await request(a, 'sendMessage', { chat_id: p.chatId, content: 'still fine' });
    assert.equal(ok.ok, true);
    const history = await api.get(`/api/chats/${p.chatId}/messages`, { token: p.a.accessToken });
    assert.deepEqual(history.body.map((m: any) => m.content), ['still fine', 'fire and forget']);
  });

  it('rate limits sends per socket with { ok: false, error: "rate limited…" }', async () => {
    const p = await matchedPair(t, api);
    const a = await connect(t.baseUrl, p.a.accessToken);
    // Empty content is refused without touching the database, so this measures the limiter alone.
    const results = await Promise.all(Array.from({ length: 400 }, () => request(a, 'sendMessage', { chat_id: p.chatId, content: ' ' })));
    const limited = results.map((r) => /^rate limited/.test(r.error));
    assert.ok(limited.slice(0, 300).every((l) => !l), 'the burst of 300 passes the limiter');
    const count = limited.filter(Boolean).length;
    // 100 over the burst; a few tokens may refill while the 400 arrive.
    assert.ok(count >= 50 && count <= 100, `limited ${count}`);
    assert.ok(results.every((r) => r.ok === false));
    // Another socket of the same user has its own budget.
    const other = await connect(t.baseUrl, p.a.accessToken);
    assert.equal((await request(other, 'sendMessage', { chat_id: p.chatId, content: 'fresh budget' })).ok, true);
  });
});

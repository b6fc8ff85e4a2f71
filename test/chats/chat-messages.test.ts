import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { matchedPair, type Pair } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';

let t: TestApp;
let api: Client;
let p: Pair;
/** Message ids of the 80 messages sent in `before`, oldest first. */
const ids: number[] = [];
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
  p = await matchedPair(t, api);
  for (let i = 0; i < 80; i++) {
    const who = i % 3 === 0 ? p.b : p.a;
    const res = await api.post(`/api/chats/${p.chatId}/messages`, { token: who.accessToken, body: { content: `message ${i}` } });
    assert.equal(res.status, 201);
    ids.push(res.body.message_id);
  }
});
after(async () => t.close());

const page = async (query: string) => {
  const res = await api.get(`/api/chats/${p.chatId}/messages${query}`, { token: p.a.accessToken });
  assert.equal(res.status, 200, res.text);
  return res.body as any[];
};

describe('GET /api/chats/{chat_id}/messages', () => {
  it('answers newest first, 30 by default, with the contract fields only', async () => {
    const first = await page('');
    assert.equal(first.length, 30);
    assert.deepEqual(first.map((m) => m.message_id), ids.slice(-30).reverse());
    assert.deepEqual(Object.keys(first[0]).sort(), ['content', 'message_id', 'sender_id', 'sent_at']);
    assert.equal(first[0].content, 'message 79');
    assert.equal(first[0].sender_id, p.a.id);
    assert.match(first[0].sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('pages with limit/offset over all 80 messages without gaps or duplicates', async () => {
    const seen: number[] = [];
    for (let offset = 0; ; offset += 25) {
      const got = await page(`?limit=25&offset=${offset}`);
      seen.push(...got.map((m) => m.message_id));
      if (got.length < 25) break;
    }
    assert.deepEqual(seen, [...ids].reverse());
  });

  it('pages backwards with before= and stays stable while new messages arrive', async () => {
    const seen: number[] = [];
    let cursor = '';
    for (let round = 0; round < 10; round++) {
      const got = await page(`?limit=20${cursor}`);
      if (round === 1) {
        // A new message must not shift the pages still to come.
        await api.post(`/api/chats/${p.chatId}/messages`, { token: p.b.accessToken, body: { content: 'interrupting' } });
      }
      if (got.length === 0) break;
      seen.push(...got.map((m) => m.message_id));
      cursor = `&before=${got.at(-1).message_id}`;
    }
    assert.deepEqual(seen, [...ids].reverse());
    const newest = await page('?limit=1');
    ids.push(newest[0].message_id);
  });

  it('catches up with after=, oldest first, up to limit', async () => {
    const from = ids[9]!;
    const got = await page(`?after=${from}&limit=100`);
    assert.deepEqual(got.map((m) => m.message_id), ids.slice(10));
    const seen: number[] = [];
    let cursor = ids[0]!;
    for (;;) {
      const chunk = await page(`?after=${cursor}&limit=7`);
      if (chunk.length === 0) break;
      seen.push(...chunk.map((m) => m.message_id));
      cursor = chunk.at(-1).message_id;
    }
    assert.deepEqual(seen, ids.slice(1));
    assert.deepEqual(await page(`?after=${ids.at(-1)}`), []);
  });

  it('refuses bad paging parameters with 400', async () => {
    for (const q of ['?limit=0', '?limit=101', '?limit=abc', '?offset=-1', '?before=0', '?after=x', '?after=1.5']) {
      const res = await api.get(`/api/chats/${p.chatId}/messages${q}`, { token: p.a.accessToken });
      assert.equal(res.status, 400, q);
      assert.equal(typeof res.body.error, 'string');
    }
    assert.equal((await page('?limit=100')).length, 81);
    assert.equal((await api.get('/api/chats/0/messages', { token: p.a.accessToken })).status, 400);
  });
});

describe('POST /api/chats/{chat_id}/messages', () => {
  const post = (body: unknown, token = p.a.accessToken) => api.post(`/api/chats/${p.chatId}/messages`, { token, body });

  it('stores trimmed content as sent and answers 201 with the message', async () => {
    const res = await post({ content: '  <b>안녕</b> & "hi"\n ', client_msg_id: 'rest-1' });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['chat_id', 'client_msg_id', 'content', 'message_id', 'sender_id', 'sent_at']);
    assert.equal(res.body.content, '<b>안녕</b> & "hi"');
    assert.equal(res.body.chat_id, p.chatId);
    assert.equal(res.body.sender_id, p.a.id);
    assert.equal(res.body.client_msg_id, 'rest-1');
    const without = await post({ content: 'no id' });
    assert.equal(without.body.client_msg_id, null);
  });

  it('is idempotent per client_msg_id: a retry returns the original and stores nothing', async () => {
    const first = await post({ content: 'once', client_msg_id: 'retry-me' });
    const again = await post({ content: 'once', client_msg_id: 'retry-me' });
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    const [a, b] = await Promise.all([post({ content: 'race', client_msg_id: 'race-1' }), post({ content: 'race', client_msg_id: 'race-1' })]);
    assert.deepEqual(a.body, b.body);
    // The same key from the partner is a different message.
    const partner = await post({ content: 'mine', client_msg_id: 'retry-me' }, p.b.accessToken);
    assert.notEqual(partner.body.message_id, first.body.message_id);
    const rows = await t.database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('client_msg_id', 'in', ['retry-me', 'race-1'])
      .executeTakeFirstOrThrow();
    assert.equal(Number(rows.n), 3);
  });

  it('keeps a client_msg_id that starts with U+FEFF exactly, and a retry with it stores nothing', async () => {
    // PGlite's protocol reader drops a byte-order mark at the start of a text field it reads back;
    // the key must still come back as sent and find its original.
    for (const key of ['\uFEFFbom-key', '\uFEFF']) {
      const first = await post({ content: 'with a BOM key', client_msg_id: key });
      assert.equal(first.status, 201, first.text);
      assert.equal(first.body.client_msg_id, key);
      const again = await post({ content: 'with a BOM key', client_msg_id: key });
      assert.equal(again.status, 201, again.text);
      assert.deepEqual(again.body, first.body);
      const stored = await t.database.db.selectFrom('messages').select('client_msg_id').where('id', '=', first.body.message_id).executeTakeFirstOrThrow();
      assert.equal(stored.client_msg_id, key);
    }
    const rows = await t.database.db.selectFrom('messages').select('id').where('client_msg_id', '=', '\uFEFFbom-key').execute();
    assert.equal(rows.length, 1);
  });

  it('validates content (1–5000 after trimming) and client_msg_id (1–64)', async () => {
    const cases: [unknown, number][] = [
      [{ content: '' }, 400],
      [{ content: '   \n\t ' }, 400],
      [{ content: 'x'.repeat(5001) }, 400],
      [{ content: 'x'.repeat(5000) }, 201],
      [{ content: ` ${'가'.repeat(5000)} ` }, 201],
      [{ content: '😀'.repeat(5000) }, 201],
      [{ content: 12 }, 400],
      [{}, 400],
      [{ content: 'ok', client_msg_id: '' }, 400],
      [{ content: 'ok', client_msg_id: 'x'.repeat(65) }, 400],
      [{ content: 'ok', client_msg_id: 7 }, 400],
      [{ content: 'ok', extra: true }, 400],
      [{ content: 'nul \u0000 inside' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 60));
      if (status === 400) assert.equal(typeof res.body.error, 'string');
    }
    const malformed = await api.post(`/api/chats/${p.chatId}/messages`, {
      token: p.a.accessToken,
      rawBody: '{"content": ',
      contentType: 'application/json',
    });
    assert.equal(malformed.status, 400);
  });
});

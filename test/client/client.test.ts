import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { example } from '../../examples/client-example.js';
import { clientSources } from '../../scripts/client-sources.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { matchedPair } from '../helpers/chat-factory.js';
import { client } from '../helpers/client.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => t.close());

describe('typed client', () => {
  it('is generated from the current route schemas (run `npm run client:generate` after changing a route)', async () => {
    const sources = await clientSources();
    for (const [path, text] of Object.entries(sources)) {
      assert.equal(readFileSync(path, 'utf8'), text, `${path} is out of date`);
    }
    const served = (await client(t.baseUrl).get('/openapi.json')).body;
    assert.deepEqual(served, JSON.parse(sources['client/openapi.json']!), 'the committed document is the served one');
  });

  it("runs the example of docs/api.md (examples/client-example.ts): logs in, lists chats, sends a message over Socket.IO", async () => {
    const api = client(t.baseUrl);
    const pair = await matchedPair(t, api);
    const messageId = await example(t.baseUrl, pair.a.email, pair.a.password);
    assert.ok(typeof messageId === 'number' && messageId > 0);
    const messages = await api.get(`/api/chats/${pair.chatId}/messages`, { token: pair.b.accessToken });
    assert.equal(messages.status, 200);
    assert.equal(messages.body[0].message_id, messageId);
    assert.equal(messages.body[0].content, '안녕하세요!');
    assert.equal(messages.body[0].sender_id, pair.a.id);
  });
});

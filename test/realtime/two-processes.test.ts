import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { AdapterKind } from '../../src/realtime/redis-adapter.js';
import { insertChat } from '../helpers/chat-factory.js';
import { startApiNode, type ApiNode as Node } from '../helpers/api-node.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { POSTGRES_URL, skipUnlessServices } from '../helpers/services.js';
import { client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { closeSockets, connect, disconnected, eventually, nextEvent, record, request } from '../helpers/socket.js';

/**
 * Two server nodes — each with its own connection pool, Redis connections, event bus and
 * Socket.IO server — on one PostgreSQL database and one Redis, as two processes behind a load
 * balancer would be. Always PostgreSQL and Redis (skipped without them, except in CI): two nodes
 * cannot share an embedded PGlite.
 */
const SERVER = POSTGRES_URL;
const skip = await skipUnlessServices('test/realtime/two-processes.test.ts', 'postgres', 'redis');
const SECRET = 'two-process-test-secret-0123456789-0123456789';
const startNode = (dbUrl: string, adapter: AdapterKind, adapterKey: string) =>
  startApiNode(dbUrl, {
    env: { NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_IP: '1000' },
    realtime: { adapter, adapterKey },
  });


for (const adapter of ['pubsub', 'streams'] as const) {
  describe(`two server nodes on one database and Redis (${adapter} adapter)`, { skip }, () => {
    let db: TestDatabase;
    let one: Node;
    let two: Node;
    before(async () => {
      db = await freshPostgresDatabase(SERVER);
      const key = `test-${randomBytes(6).toString('hex')}`;
      one = await startNode(db.url!, adapter, key);
      two = await startNode(db.url!, adapter, key);
      // The adapters need a moment to subscribe before the first cross-node emit.
      await new Promise((r) => setTimeout(r, 300));
    });
    afterEach(closeSockets);
    after(async () => {
      await one?.close();
      await two?.close();
      await db?.close();
    });

    async function pair() {
      const api = client(one.url);
      const a = await createUser(api, { gender: 'male' });
      const b = await createUser(api, { gender: 'female' });
      const { chatId } = await insertChat(db.db, a.id, b.id);
      return { a, b, chatId };
    }

    it('exchanges messages and read receipts between a client on each node', async () => {
      const { a, b, chatId } = await pair();
      const aOnOne = await connect(one.url, a.accessToken);
      const aOnTwo = await connect(two.url, a.accessToken); // A's second device, on the other node
      const bOnTwo = await connect(two.url, b.accessToken);
      const seen = { aOnOne: record(aOnOne, 'newMessage'), aOnTwo: record(aOnTwo, 'newMessage'), bOnTwo: record(bOnTwo, 'newMessage') };

      const ack = await request(aOnOne, 'sendMessage', { chat_id: chatId, content: 'from node one', client_msg_id: 'x-1' });
      assert.equal(ack.ok, true);
      await eventually(() => {
        for (const list of Object.values(seen)) assert.deepEqual(list, [ack.message]);
      });

      const reply = await request(bOnTwo, 'sendMessage', { chat_id: chatId, content: 'from node two' });
      await eventually(() => assert.deepEqual(seen.aOnOne.at(-1), reply.message));

      const retry = await request(aOnTwo, 'sendMessage', { chat_id: chatId, content: 'from node one', client_msg_id: 'x-1' });
      assert.deepEqual(retry, ack, 'a retry through the other node acks the original');

      const read = nextEvent(aOnOne, 'messagesRead');
      assert.deepEqual(await request(bOnTwo, 'markRead', { chat_id: chatId }), { ok: true });
      assert.deepEqual(await read, { chat_id: chatId, user_id: b.id, message_id: reply.message.message_id });

      const typing = nextEvent(bOnTwo, 'typing');
      await request(aOnOne, 'typing', { chat_id: chatId });
      assert.deepEqual(await typing, { chat_id: chatId, user_id: a.id });

      const viaRest = nextEvent(aOnOne, 'newMessage');
      const rest = await client(two.url).post(`/api/chats/${chatId}/messages`, { token: b.accessToken, body: { content: 'REST on two' } });
      assert.equal(rest.status, 201);
      assert.deepEqual(await viaRest, rest.body);
    });

    it('keeps each chat in id order on every socket while both nodes store messages at once', async () => {
      const { a, b, chatId } = await pair();
      const aOnOne = await connect(one.url, a.accessToken);
      const bOnTwo = await connect(two.url, b.accessToken);
      const watchers = [await connect(one.url, b.accessToken), await connect(two.url, a.accessToken)];
      const lists = [aOnOne, bOnTwo, ...watchers].map((s) => record(s, 'newMessage'));
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          request(i % 2 ? aOnOne : bOnTwo, 'sendMessage', { chat_id: chatId, content: `burst ${i}` }),
        ),
      );
      await eventually(() => lists.forEach((l) => assert.equal(l.length, 100)));
      const ids = lists[0]!.map((m) => m.message_id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
      for (const l of lists) assert.deepEqual(l.map((m) => m.message_id), ids);
    });

    it('delivers match events to a user connected to the other node', async () => {
      const api = client(one.url);
      const a = await createUser(api, { gender: 'male' });
      const b = await createUser(api, { gender: 'female' });
      const bOnTwo = await connect(two.url, b.accessToken);
      const aOnTwo = await connect(two.url, a.accessToken);
      const requested = nextEvent(bOnTwo, 'matchRequested');
      const req = await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
      assert.equal(req.status, 201, req.text);
      const event = await requested;
      assert.equal(event.match_id, req.body.match_id);
      assert.equal(event.requester.user_id, a.id);
      const accepted = nextEvent(aOnTwo, 'matchAccepted');
      const acc = await api.post(`/api/matches/${req.body.match_id}/accept`, { token: b.accessToken });
      assert.equal(acc.status, 200, acc.text);
      assert.deepEqual(await accepted, {
        match_id: req.body.match_id,
        chat_id: acc.body.chat_id,
        partner: { user_id: b.id, name: b.name, profile_img_url: null },
      });
    });

    it('logging out on one node disconnects that session’s socket on the other', async () => {
      const { a } = await pair();
      const socket = await connect(two.url, a.accessToken);
      const gone = disconnected(socket);
      const res = await client(one.url).post('/api/auth/logout', { body: { refresh_token: a.refreshToken } });
      assert.equal(res.status, 204);
      assert.equal(await gone, 'io server disconnect');
    });
  });
}

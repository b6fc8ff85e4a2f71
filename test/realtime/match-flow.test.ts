import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';
import { closeSockets, connect, nextEvent, request } from '../helpers/socket.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
afterEach(closeSockets);
after(async () => t.close());

it('request → matchRequested, accept → matchAccepted, then the new chat works end to end', async () => {
  const requester = await createUser(api, { gender: 'male', birth_date: '1990-06-15' });
  const receiver = await createUser(api, { gender: 'female', birth_date: '1993-02-01' });
  const rs = await connect(t.baseUrl, requester.accessToken);
  const rc = await connect(t.baseUrl, receiver.accessToken);

  const requested = nextEvent(rc, 'matchRequested');
  const req = await api.post('/api/matches/request', { token: requester.accessToken, body: { receiver_id: receiver.id } });
  assert.equal(req.status, 201, req.text);
  const event = await requested;
  assert.equal(event.match_id, req.body.match_id);
  assert.deepEqual(Object.keys(event).sort(), ['compatibility_score', 'match_id', 'requester']);
  assert.deepEqual(Object.keys(event.requester).sort(), ['age', 'name', 'profile_img_url', 'user_id']);
  assert.equal(event.requester.user_id, requester.id);
  assert.equal(event.requester.name, requester.name);
  assert.ok(Number.isInteger(event.requester.age) && event.requester.age >= 19);
  assert.ok(Number.isInteger(event.compatibility_score) && event.compatibility_score >= 0 && event.compatibility_score <= 100);

  const accepted = nextEvent(rs, 'matchAccepted');
  const acc = await api.post(`/api/matches/${req.body.match_id}/accept`, { token: receiver.accessToken });
  assert.equal(acc.status, 200, acc.text);
  assert.deepEqual(await accepted, {
    match_id: req.body.match_id,
    chat_id: acc.body.chat_id,
    partner: { user_id: receiver.id, name: receiver.name, profile_img_url: null },
  });

  const chats = await api.get('/api/chats', { token: requester.accessToken });
  assert.deepEqual(chats.body.map((c: any) => c.chat_id), [acc.body.chat_id]);
  const delivered = nextEvent(rc, 'newMessage');
  const ack = await request(rs, 'sendMessage', { chat_id: acc.body.chat_id, content: '반갑습니다!' });
  assert.equal(ack.ok, true);
  assert.deepEqual(await delivered, ack.message);
});

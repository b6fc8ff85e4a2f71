import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DailyPicks, nextPicksAt } from '../../src/notifications/daily-picks.js';
import { wasDelivered } from '../../src/notifications/outbox.repo.js';
import type { PushService } from '../../src/notifications/push-service.js';
import { retryDelaySeconds, DEFAULT_RETRY } from '../../src/notifications/push-service.js';
import { deliveryIdOf, type PushJob } from '../../src/notifications/push-texts.js';
import { startTestApp, TEST_VAPID, type TestApp } from '../helpers/app.js';
import { insertBlock, insertChat } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { createWebPushFake, type WebPushFake } from '../helpers/push-fakes/web-push.js';
import { closeSockets, connect, eventually } from '../helpers/socket.js';

/**
 * The four pushes through the real app: events write the outbox in their transaction, the relay
 * queues pg-boss jobs, the in-process workers send them with the Web Push provider (web-push's
 * aes128gcm + VAPID) to a local push service that decrypts every push and checks its signature.
 */
let t: TestApp;
let api: Client;
let fake: WebPushFake;
let push: PushService;

before(async () => {
  fake = await createWebPushFake({ tls: false });
  t = await startTestApp(
    { PUSH_ALLOW_INSECURE_ENDPOINTS: 'true' },
    { push: { pollingIntervalSeconds: 0.5, retry: { baseSeconds: 1, maxDelaySeconds: 4, attempts: 4 } } },
  );
  api = client(t.baseUrl);
  push = t.app.push!;
});
after(async () => {
  await closeSockets();
  await t.close();
  await fake.close();
});
beforeEach(() => {
  assert.deepEqual(fake.violations, []);
});

async function withWebDevice(user: TestUser) {
  const subscription = fake.createSubscription({ applicationServerKey: TEST_VAPID.VAPID_PUBLIC_KEY });
  const res = await api.post('/api/devices', { token: user.accessToken, body: { platform: 'web', subscription } });
  assert.equal(res.status, 201, res.text);
  return { subscription, deviceId: res.body.device_id as number };
}

const pushesTo = (endpoint: string) => fake.received.filter((p) => p.endpoint === endpoint);

async function settle(ms = 1500) {
  await push.relayed();
  await new Promise((r) => setTimeout(r, ms));
}

describe('the four pushes', () => {
  it('match_requested to the receiver, match_accepted to the requester, in Korean, with string data', async () => {
    const a = await createUser(api, { gender: 'male', name: '김철수' });
    const b = await createUser(api, { gender: 'female', name: '이영희' });
    const da = await withWebDevice(a);
    const db = await withWebDevice(b);
    const req = await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    assert.equal(req.status, 201, req.text);
    const matchId = req.body.match_id as number;
    await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 1));
    const requested = pushesTo(db.subscription.endpoint)[0]!;
    assert.deepEqual(requested.json(), {
      title: '새 대화 요청',
      body: '김철수님이 대화를 신청했어요.',
      data: { type: 'match_requested', match_id: String(matchId) },
    });
    assert.equal(requested.vapid.sub, TEST_VAPID.VAPID_SUBJECT);
    assert.equal(requested.vapid.publicKey, TEST_VAPID.VAPID_PUBLIC_KEY);
    assert.equal(requested.ttl, 86_400);
    assert.equal(requested.urgency, 'high');
    assert.match(requested.topic ?? '', /^[A-Za-z0-9_-]{1,32}$/);
    assert.equal(pushesTo(da.subscription.endpoint).length, 0, 'the requester is not told of their own request');

    const acc = await api.post(`/api/matches/${matchId}/accept`, { token: b.accessToken });
    assert.equal(acc.status, 200);
    await eventually(() => assert.equal(pushesTo(da.subscription.endpoint).length, 1));
    assert.deepEqual(pushesTo(da.subscription.endpoint)[0]!.json(), {
      title: '대화 요청이 수락됐어요',
      body: '이영희님과 대화를 시작해 보세요.',
      data: { type: 'match_accepted', match_id: String(matchId), chat_id: String(acc.body.chat_id) },
    });
    // Accepting again changes nothing and pushes nothing.
    assert.equal((await api.post(`/api/matches/${matchId}/accept`, { token: b.accessToken })).status, 200);
    await settle();
    assert.equal(pushesTo(da.subscription.endpoint).length, 1);
    assert.equal(pushesTo(db.subscription.endpoint).length, 1);
    assert.deepEqual(fake.violations, []);
  });

  it('new_message only to an offline recipient: sender name and the first 100 characters, or no preview', async () => {
    const a = await createUser(api, { name: '보내는이' });
    const b = await createUser(api);
    const { chatId } = await insertChat(t.database.db, a.id, b.id);
    const db = await withWebDevice(b);
    const long = '가'.repeat(99) + '😀' + '끝까지 안 보임';
    const sent = await api.post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: long } });
    assert.equal(sent.status, 201, sent.text);
    await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 1));
    assert.deepEqual(pushesTo(db.subscription.endpoint)[0]!.json(), {
      title: '보내는이',
      body: '가'.repeat(99) + '😀',
      data: { type: 'new_message', chat_id: String(chatId), message_id: String(sent.body.message_id) },
    });

    // Online (a socket of b connected): no push.
    const socket = await connect(t.baseUrl, b.accessToken);
    await api.post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: '지금 봐요?' } });
    await settle();
    assert.equal(pushesTo(db.subscription.endpoint).length, 1);
    socket.disconnect();

    // Offline again, previews off: the sender's name only.
    assert.equal((await api.put('/api/users/me', { token: b.accessToken, body: { push_previews: false } })).status, 200);
    const secret = await api.post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: '비밀 이야기' } });
    await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 2));
    const quiet = pushesTo(db.subscription.endpoint)[1]!;
    assert.deepEqual(quiet.json(), {
      title: '보내는이',
      body: '새 메시지가 도착했어요.',
      data: { type: 'new_message', chat_id: String(chatId), message_id: String(secret.body.message_id) },
    });
    assert.ok(!quiet.text.includes('비밀'));
  });

  it('writes no outbox row for someone without a device', async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const { chatId } = await insertChat(t.database.db, a.id, b.id);
    await api.post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: 'hi' } });
    await api.post('/api/matches/request', { token: (await createUser(api, { gender: 'male' })).accessToken, body: { receiver_id: b.id } });
    const rows = await t.database.db.selectFrom('push_outbox').select('id').where('user_id', '=', b.id).execute();
    assert.deepEqual(rows, []);
  });
});

describe('delivery', () => {
  it('removes a device whose endpoint answers 410', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const db = await withWebDevice(b);
    fake.unsubscribe(db.subscription.endpoint);
    await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    const deadline = Date.now() + 10_000;
    while ((await t.database.db.selectFrom('devices').select('id').where('id', '=', db.deviceId).execute()).length > 0) {
      assert.ok(Date.now() < deadline, 'the device answering 410 is still there');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(push.counters.gone >= 1, true);
    assert.equal(pushesTo(db.subscription.endpoint).length, 0);
  });

  it('retries a 503 after its Retry-After and a 500 with exponential backoff, then delivers once', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const db = await withWebDevice(b);
    fake.fail({ status: 503, endpoint: db.subscription.endpoint, retryAfter: '2' });
    fake.fail({ status: 500, endpoint: db.subscription.endpoint });
    const started = Date.now();
    await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 1), 20_000);
    // 503 → Retry-After 2 s (longer than the 1 s backoff of the first retry); 500 → 2 s (second retry).
    assert.ok(Date.now() - started >= 4000, `delivered after ${Date.now() - started} ms`);
    await settle(2500);
    assert.equal(pushesTo(db.subscription.endpoint).length, 1);
    const jobs = await sql<{ start_after: Date; created_on: Date; data: PushJob }>`
      SELECT start_after, created_on, data FROM pgboss.job WHERE name = 'push-send' AND (data->>'deviceId')::int = ${db.deviceId}
      ORDER BY (data->>'attempt')::int`.execute(t.database.db);
    assert.deepEqual(jobs.rows.map((j) => j.data.attempt), [0, 1, 2]);
    const waited = (j: { start_after: Date; created_on: Date }) => (new Date(j.start_after).getTime() - new Date(j.created_on).getTime()) / 1000;
    assert.ok(Math.abs(waited(jobs.rows[1]!) - 2) < 0.5, `second try waited ${waited(jobs.rows[1]!)} s`);
    assert.ok(Math.abs(waited(jobs.rows[2]!) - 2) < 0.5, `third try waited ${waited(jobs.rows[2]!)} s`);
  });

  it('backs off exponentially over more than an hour by default', () => {
    const delays = Array.from({ length: DEFAULT_RETRY.attempts - 1 }, (_, i) => retryDelaySeconds(DEFAULT_RETRY, i));
    assert.deepEqual(delays, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
    assert.ok(delays.reduce((s, d) => s + d, 0) >= 3600);
    assert.equal(retryDelaySeconds(DEFAULT_RETRY, 0, 300), 300, 'Retry-After longer than the backoff wins');
    assert.equal(retryDelaySeconds(DEFAULT_RETRY, 3, 5), 240, 'a shorter Retry-After does not hurry the backoff');
  });

  it('sends a (notification, device) pair once, even when its job runs again', async () => {
    const a = await createUser(api, { gender: 'male', name: '중복' });
    const b = await createUser(api, { gender: 'female' });
    const db = await withWebDevice(b);
    await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 1));
    const [job] = (
      await sql<{ data: PushJob }>`SELECT data FROM pgboss.job WHERE name = 'push-send' AND (data->>'deviceId')::int = ${db.deviceId}`.execute(t.database.db)
    ).rows;
    // The fake has the push as soon as it answers; the worker records the delivery just after.
    await eventually(async () => assert.equal(await wasDelivered(t.database.db, job!.data.outboxId, job!.data.deviceId), true));
    // As pg-boss would after a worker died between sending and completing the job.
    assert.equal(await push.sendOne(job!.data), 'skipped');
    assert.equal(pushesTo(db.subscription.endpoint).length, 1);
    assert.equal(deliveryIdOf(job!.data.outboxId, job!.data.deviceId), deliveryIdOf(job!.data.outboxId, job!.data.deviceId));
    assert.match(deliveryIdOf(job!.data.outboxId, job!.data.deviceId), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(deliveryIdOf(job!.data.outboxId, job!.data.deviceId), deliveryIdOf(job!.data.outboxId, job!.data.deviceId + 1));
  });

  it('a push the provider took is recorded even if the database refuses the record for a moment', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const db = await withWebDevice(b);
    await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 1));
    const [job] = (
      await sql<{ data: PushJob }>`SELECT data FROM pgboss.job WHERE name = 'push-send' AND (data->>'deviceId')::int = ${db.deviceId}`.execute(t.database.db)
    ).rows;
    await eventually(async () => assert.equal(await wasDelivered(t.database.db, job!.data.outboxId, job!.data.deviceId), true));
    // As if that record had never been made, and the database now refuses records (a restart).
    await sql`DELETE FROM push_deliveries WHERE outbox_id = ${job!.data.outboxId} AND device_id = ${job!.data.deviceId}`.execute(t.database.db);
    await sql`CREATE TABLE refuse_records (id int)`.execute(t.database.db);
    await sql`INSERT INTO refuse_records VALUES (1)`.execute(t.database.db);
    await sql.raw(`CREATE FUNCTION refuse_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF EXISTS (SELECT 1 FROM refuse_records) THEN RAISE EXCEPTION 'database restarting'; END IF; RETURN NEW; END $$`).execute(t.database.db);
    await sql`CREATE TRIGGER refuse_record BEFORE INSERT ON push_deliveries FOR EACH ROW EXECUTE FUNCTION refuse_record()`.execute(t.database.db);
    try {
      const outcome = push.sendOne(job!.data);
      await eventually(() => assert.equal(pushesTo(db.subscription.endpoint).length, 2));
      await settle(600); // the first tries to record fail
      await sql`DELETE FROM refuse_records`.execute(t.database.db);
      assert.equal(await outcome, 'delivered');
      assert.equal(await wasDelivered(t.database.db, job!.data.outboxId, job!.data.deviceId), true);
      // The job running again (its first run failed, as it would have without the retried record) sends nothing.
      assert.equal(await push.sendOne(job!.data), 'skipped');
      assert.equal(pushesTo(db.subscription.endpoint).length, 2);
    } finally {
      await sql`DROP TRIGGER refuse_record ON push_deliveries`.execute(t.database.db);
      await sql`DROP FUNCTION refuse_record()`.execute(t.database.db);
      await sql`DROP TABLE refuse_records`.execute(t.database.db);
    }
  });

  it('pushes each device of the recipient once', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const one = await withWebDevice(b);
    const two = await withWebDevice(b);
    await api.post('/api/matches/request', { token: a.accessToken, body: { receiver_id: b.id } });
    await eventually(() => {
      assert.equal(pushesTo(one.subscription.endpoint).length, 1);
      assert.equal(pushesTo(two.subscription.endpoint).length, 1);
    });
    await settle();
    assert.equal(pushesTo(one.subscription.endpoint).length + pushesTo(two.subscription.endpoint).length, 2);
  });
});

describe('nothing about blocked or suspended people', () => {
  const jobAbout = (outboxId: number, deviceId: number, userId: number, aboutUserId: number): PushJob => ({
    outboxId,
    deviceId,
    userId,
    kind: 'match_requested',
    aboutUserId,
    matchId: 1,
    chatId: null,
    messageId: null,
    attempt: 0,
  });

  it('drops a push when a block stands between the two at send time, either way', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const c = await createUser(api, { gender: 'male' });
    const db = await withWebDevice(b);
    await insertBlock(t.database.db, b.id, a.id);
    await insertBlock(t.database.db, c.id, b.id);
    assert.equal(await push.sendOne(jobAbout(900_001, db.deviceId, b.id, a.id)), 'skipped');
    assert.equal(await push.sendOne(jobAbout(900_002, db.deviceId, b.id, c.id)), 'skipped');
    assert.equal(pushesTo(db.subscription.endpoint).length, 0);
    const d = await createUser(api, { gender: 'male', name: '통제군' });
    assert.equal(await push.sendOne(jobAbout(900_003, db.deviceId, b.id, d.id)), 'delivered');
    assert.equal(pushesTo(db.subscription.endpoint).length, 1);
  });

  it('drops a push about a suspended or banned person', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const db = await withWebDevice(b);
    await t.database.db.updateTable('users').set({ suspended_until: new Date(Date.now() + 86_400_000) }).where('id', '=', a.id).execute();
    assert.equal(await push.sendOne(jobAbout(900_010, db.deviceId, b.id, a.id)), 'skipped');
    await t.database.db.updateTable('users').set({ suspended_until: 'infinity' }).where('id', '=', a.id).execute();
    assert.equal(await push.sendOne(jobAbout(900_011, db.deviceId, b.id, a.id)), 'skipped');
    assert.equal(pushesTo(db.subscription.endpoint).length, 0);
  });

  it('sends nothing to a device whose session logged out after the event', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const db = await withWebDevice(b);
    await api.post('/api/auth/logout', { token: b.accessToken, body: { refresh_token: b.refreshToken } });
    assert.equal(await push.sendOne(jobAbout(900_020, db.deviceId, b.id, a.id)), 'skipped');
    assert.equal(pushesTo(db.subscription.endpoint).length, 0);
  });
});

describe('daily_picks', () => {
  it('builds sets ahead over the hour before, then pushes those whose set is ready, once', async () => {
    const picks = new DailyPicks(t.database.db, 12);
    const now = new Date();
    const at = nextPicksAt(now, 12);
    assert.ok(at.getTime() > now.getTime() && at.getTime() - now.getTime() <= 86_400_000);
    assert.equal(new Date(at.getTime() + 9 * 3_600_000).getUTCHours(), 12, 'noon in Korea');
    for (let i = 0; i < 3; i++) await createUser(api, { gender: 'male', birth_date: `199${i}-0${i + 2}-1${i}` });
    const ready = await createUser(api, { gender: 'female' });
    const notReady = await createUser(api, { gender: 'female' });
    const noDevice = await createUser(api, { gender: 'female' });
    const r = await withWebDevice(ready);
    const n = await withWebDevice(notReady);

    const queued = await push.prebuildDailySets(now);
    assert.ok(queued >= 2, `${queued} build jobs`);
    const builds = await sql<{ data: { userId: number; at: string }; start_after: Date }>`
      SELECT data, start_after FROM pgboss.job WHERE name = 'push-daily-build' AND (data->>'userId')::int IN (${ready.id}, ${notReady.id})`.execute(t.database.db);
    assert.equal(builds.rows.length, 2);
    for (const job of builds.rows) {
      assert.equal(job.data.at, at.toISOString());
      const offset = new Date(job.start_after).getTime() - now.getTime();
      assert.ok(offset >= -1000 && offset <= 55 * 60_000, `build starts ${offset} ms from now`);
    }
    assert.ok(!(await picks.peopleToPrepare(at)).includes(noDevice.id), 'nobody without a device');

    assert.equal(await picks.build(ready.id, at), true);
    assert.ok(!(await picks.peopleToPrepare(at)).includes(ready.id), 'a built set needs no second build');
    const enqueued = await push.sendDailyPicks(at);
    assert.ok(enqueued >= 1);
    await eventually(() => assert.equal(pushesTo(r.subscription.endpoint).length, 1));
    assert.deepEqual(pushesTo(r.subscription.endpoint)[0]!.json(), {
      title: '오늘의 추천이 도착했어요',
      body: '오늘의 인연을 확인해 보세요.',
      data: { type: 'daily_picks' },
    });
    await settle();
    assert.equal(pushesTo(n.subscription.endpoint).length, 0, 'no set, no push');
    // The set the push announced is the one the app shows.
    const set = await t.database.db.selectFrom('daily_recommendation_sets').select('kst_date').where('user_id', '=', ready.id).execute();
    assert.deepEqual(set.map((s) => s.kst_date), [new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10)]);
  });
});

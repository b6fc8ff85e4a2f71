import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { insertBlock, insertChat } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { closeSockets, connect, disconnected, request } from '../helpers/socket.js';
import { man, woman } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
let moderator: TestUser;
let moderator2: TestUser;
before(async () => {
  // Listed in another case and with spaces: the match is case-insensitive.
  t = await startTestApp({ MODERATOR_EMAILS: ' Mod-1@Example.com,mod-2@example.com, mod-3@example.com,' });
  api = client(t.baseUrl);
  moderator = await createUser(api, { email: 'mod-1@example.com' });
  moderator2 = await createUser(api, { email: 'MOD-2@example.com' });
});
afterEach(closeSockets);
after(async () => t.close());

const db = () => t.database.db;
const report = async (by: TestUser, target: TestUser | number, reason = 'harassment', details?: string) => {
  const res = await api.post(`/api/users/${typeof target === 'number' ? target : target.id}/report`, {
    token: by.accessToken,
    body: details === undefined ? { reason } : { reason, details },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.report_id as number;
};
const resolve = (reportId: number | string, body: unknown, by: TestUser = moderator) =>
  api.post(`/api/admin/reports/${reportId}/resolve`, { token: by.accessToken, body });
const queue = async (query = '') => {
  const res = await api.get(`/api/admin/reports${query}`, { token: moderator.accessToken });
  assert.equal(res.status, 200, res.text);
  return res.body as Array<Record<string, any>>;
};
const findReport = async (reportId: number, status = 'open') => {
  const all = await queue(`?status=${status}&limit=100`);
  return all.find((r) => r.report_id === reportId);
};
/** Inserts messages straight into the chat (evidence tests need many). */
async function insertMessages(chatId: number, senders: number[], count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = await db()
      .insertInto('messages')
      .values({ chat_id: chatId, sender_id: senders[i % senders.length]!, content: `메시지 ${i}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

describe('who may use /api/admin', () => {
  it('answers 404 to a signed-in non-moderator exactly as an unknown route, 401 without a token', async () => {
    const user = await createUser(api);
    const reportId = await report(user, moderator);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/reports'],
      ['GET', '/api/admin/reports?status=resolved&limit=5'],
      ['GET', '/api/admin/reports?limit=0'],
      ['POST', `/api/admin/reports/${reportId}/resolve`, { action: 'dismiss' }],
      ['POST', '/api/admin/reports/abc/resolve', { action: 'dismiss' }],
      ['GET', '/api/admin/audit'],
    ];
    for (const [method, path, body] of calls) {
      const res = await api.request(method, path, { token: user.accessToken, ...(body === undefined ? {} : { body }) });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body, { error: `Route ${method} ${path.split('?')[0]} not found` });
      const anonymous = await api.request(method, path, body === undefined ? {} : { body });
      assert.equal(anonymous.status, 401, `${method} ${path} without a token`);
    }
    // Nothing happened to the report.
    assert.equal((await findReport(reportId))?.status, 'open');
    assert.equal((await api.get('/api/admin/reports', { token: moderator2.accessToken })).status, 200);
  });
});

describe('GET /api/admin/reports', () => {
  it('lists open reports oldest first, with both people, open report counts and the last 50 messages of their chat as evidence', async () => {
    const a = await man(api);
    const b = await woman(api);
    const c = await man(api);
    const { chatId } = await insertChat(db(), a.id, b.id);
    const messageIds = await insertMessages(chatId, [a.id, b.id], 55);
    // Blocking (like unmatching) hides the chat from both, but the moderators still see it.
    await insertBlock(db(), a.id, b.id);
    const first = await report(a, b, 'harassment', '욕설을 계속 보냅니다');
    const second = await report(c, b, 'spam');
    const open = await queue('?limit=100');
    const mine = open.filter((r) => [first, second].includes(r.report_id));
    assert.deepEqual(
      mine.map((r) => r.report_id),
      [first, second],
    );
    const ids = open.map((r) => r.report_id);
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'oldest first');

    const [r1, r2] = mine as [Record<string, any>, Record<string, any>];
    assert.deepEqual(Object.keys(r1).sort(), ['created_at', 'details', 'evidence', 'reason', 'report_id', 'reported', 'reporter', 'resolution', 'status']);
    assert.equal(r1.reason, 'harassment');
    assert.equal(r1.details, '욕설을 계속 보냅니다');
    assert.equal(r1.status, 'open');
    assert.equal(r1.resolution, null);
    assert.deepEqual(r1.reporter, { user_id: a.id, name: a.name });
    assert.deepEqual(r1.reported, { user_id: b.id, name: b.name, status: 'active', reports_open: 2 });
    assert.equal(r1.evidence.length, 50);
    assert.deepEqual(
      r1.evidence.map((m: { message_id: number }) => m.message_id),
      messageIds.slice(5).reverse(),
      'the last 50, newest first',
    );
    assert.deepEqual(Object.keys(r1.evidence[0]).sort(), ['content', 'message_id', 'sender_id', 'sent_at']);
    assert.equal(r1.evidence[0].content, '메시지 54');
    assert.equal(r1.evidence[0].sender_id, a.id);
    assert.match(r1.evidence[0].sent_at, /Z$/);
    assert.equal(r2.details, null);
    assert.deepEqual(r2.evidence, [], 'C and B never had a chat');
  });

  it('pages with limit and offset, lists resolved reports most recently resolved first, and refuses bad queries (400)', async () => {
    const a = await man(api);
    const b = await woman(api);
    const made = [await report(a, b), await report(a, b), await report(a, b)];
    const all = (await queue('?limit=100')).map((r) => r.report_id);
    const at = all.indexOf(made[0]!);
    const page = (await queue(`?limit=2&offset=${at}`)).map((r) => r.report_id);
    assert.deepEqual(page, all.slice(at, at + 2));
    assert.equal((await queue('?limit=1')).length, 1);

    assert.equal((await resolve(made[1]!, { action: 'dismiss' })).status, 200);
    assert.equal((await resolve(made[0]!, { action: 'warn', note: '첫 경고' })).status, 200);
    const resolved = await queue('?status=resolved');
    assert.deepEqual(
      resolved.filter((r) => made.includes(r.report_id)).map((r) => r.report_id),
      [made[0], made[1]],
    );
    const warned = resolved.find((r) => r.report_id === made[0])!;
    assert.equal(warned.status, 'resolved');
    assert.equal(warned.resolution.action, 'warn');
    assert.equal(warned.resolution.moderator_id, moderator.id);
    assert.equal(warned.reported.reports_open, 1);
    assert.ok(!(await queue('?limit=100')).some((r) => r.report_id === made[0]));

    for (const q of ['?limit=0', '?limit=101', '?offset=-1', '?status=closed', '?limit=abc', '?extra=1']) {
      const res = await api.get(`/api/admin/reports${q}`, { token: moderator.accessToken });
      assert.equal(res.status, 400, q);
      assert.equal(typeof res.body.error, 'string');
    }
  });

  it('keeps a report when the reported account is deleted, with only its id', async () => {
    const a = await man(api);
    const b = await woman(api);
    const { chatId } = await insertChat(db(), a.id, b.id);
    await insertMessages(chatId, [a.id, b.id], 3);
    const reportId = await report(a, b);
    assert.equal((await api.del('/api/users/me', { token: b.accessToken, body: { password: b.password } })).status, 204);
    const kept = await findReport(reportId);
    assert.deepEqual(kept?.reported, { user_id: b.id, name: null, status: 'deleted', reports_open: 1 });
    assert.deepEqual(kept?.evidence, [], "the deleted account's chat and messages are gone");
    const suspend = await resolve(reportId, { action: 'suspend', days: 3 });
    assert.deepEqual([suspend.status, suspend.body], [409, { error: 'The reported account no longer exists' }]);
    assert.equal((await resolve(reportId, { action: 'dismiss' })).status, 200);
  });
});

describe('POST /api/admin/reports/{report_id}/resolve', () => {
  it('resolves once: 200 { report_id, status, action }, then 409; 404 for an unknown report', async () => {
    const a = await man(api);
    const b = await woman(api);
    const reportId = await report(a, b);
    const res = await resolve(reportId, { action: 'dismiss', note: '근거 부족' });
    assert.deepEqual([res.status, res.body], [200, { report_id: reportId, status: 'resolved', action: 'dismiss' }]);
    const again = await resolve(reportId, { action: 'ban' });
    assert.deepEqual([again.status, again.body], [409, { error: 'Report already resolved' }]);
    assert.equal((await api.post(`/api/users/${b.id}/report`, { token: a.accessToken, body: { reason: 'x' } })).status, 201);
    const missing = await resolve(2_000_000_000, { action: 'dismiss' });
    assert.deepEqual([missing.status, missing.body], [404, { error: 'Report not found' }]);
    // The ban above was refused: B is untouched.
    assert.equal((await api.get('/api/users/me', { token: b.accessToken })).status, 200);
  });

  it('400 for a bad action, days missing for suspend or out of 1–365, days with another action, a long note, unknown fields, a bad id', async () => {
    const a = await man(api);
    const b = await woman(api);
    const reportId = await report(a, b);
    const bodies: unknown[] = [
      undefined,
      {},
      { action: 'delete' },
      { action: 'suspend' },
      { action: 'suspend', days: null },
      { action: 'suspend', days: 0 },
      { action: 'suspend', days: 366 },
      { action: 'suspend', days: 1.5 },
      { action: 'suspend', days: '3' },
      { action: 'ban', days: 3 },
      { action: 'warn', days: 1 },
      { action: 'warn', note: 'n'.repeat(2001) },
      { action: 'warn', reason: 'x' },
    ];
    for (const body of bodies) {
      const res = await resolve(reportId, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.body.error, 'string');
    }
    const days = await resolve(reportId, { action: 'suspend' });
    assert.deepEqual(days.body.details, [{ field: 'days', message: 'required to suspend' }]);
    for (const bad of ['abc', '0', '-1']) assert.equal((await resolve(bad, { action: 'dismiss' })).status, 400, bad);
    assert.equal((await findReport(reportId))?.status, 'open', 'nothing was resolved');
  });

  it('suspends at once everywhere: sessions, sockets, profile, chat lists, requests; login 403 until it ends by itself', async () => {
    const a = await man(api);
    const b = await woman(api);
    const bTablet = await api.post('/api/users/login', { body: { email: b.email, password: b.password } });
    const { chatId } = await insertChat(db(), a.id, b.id);
    await insertMessages(chatId, [a.id, b.id], 2);
    const c = await man(api);
    const sockets = [await connect(t.baseUrl, b.accessToken), await connect(t.baseUrl, bTablet.body.access_token)];
    const aSocket = await connect(t.baseUrl, a.accessToken);
    const gone = sockets.map((s) => disconnected(s));
    assert.deepEqual(
      (await api.get('/api/chats', { token: a.accessToken })).body.map((x: { chat_id: number }) => x.chat_id),
      [chatId],
    );

    const reportId = await report(a, b);
    const res = await resolve(reportId, { action: 'suspend', days: 7, note: '욕설' });
    assert.deepEqual([res.status, res.body], [200, { report_id: reportId, status: 'resolved', action: 'suspend' }]);
    await Promise.all(gone);
    assert.ok(aSocket.connected);

    for (const token of [b.accessToken, bTablet.body.access_token]) {
      assert.equal((await api.get('/api/users/me', { token })).status, 401);
    }
    for (const refresh of [b.refreshToken, bTablet.body.refresh_token]) {
      assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: refresh } })).status, 401);
    }
    await assert.rejects(connect(t.baseUrl, b.accessToken), /Unauthorized/);
    const login = await api.post('/api/users/login', { body: { email: b.email, password: b.password } });
    assert.deepEqual([login.status, login.body], [403, { error: 'Account suspended' }]);
    const wrong = await api.post('/api/users/login', { body: { email: b.email, password: 'not the password' } });
    assert.deepEqual([wrong.status, wrong.body], [401, { error: 'Invalid email or password' }], 'the suspension is told only to the password holder');

    assert.equal((await api.get(`/api/users/${b.id}`, { token: c.accessToken })).status, 404);
    assert.equal((await api.get(`/api/matches/compatibility/${b.id}`, { token: c.accessToken })).status, 404);
    assert.equal((await api.post('/api/matches/request', { token: c.accessToken, body: { receiver_id: b.id } })).status, 404);
    assert.deepEqual((await api.get('/api/chats', { token: a.accessToken })).body, []);
    assert.equal((await api.get(`/api/chats/${chatId}/messages`, { token: a.accessToken })).status, 404);
    assert.ok(!(await api.get('/api/matches', { token: a.accessToken })).body.some((m: { partner: { user_id: number } }) => m.partner.user_id === b.id));
    const listed = await api.get('/api/admin/reports?status=resolved&limit=100', { token: moderator.accessToken });
    assert.equal(listed.body.find((r: { report_id: number }) => r.report_id === reportId).reported.status, 'suspended');

    // Seven days later (the stored end passes): everything comes back, no job involved.
    await db().updateTable('users').set({ suspended_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', b.id).execute();
    const back = await api.post('/api/users/login', { body: { email: b.email, password: b.password } });
    assert.equal(back.status, 200);
    assert.equal((await api.get(`/api/users/${b.id}`, { token: c.accessToken })).status, 200);
    assert.deepEqual(
      (await api.get('/api/chats', { token: a.accessToken })).body.map((x: { chat_id: number }) => x.chat_id),
      [chatId],
    );
  });

  for (const [action, body] of [
    ['suspended', { action: 'suspend', days: 7 }],
    ['banned', { action: 'ban' }],
  ] as const) {
    it(`refuses a message to a ${action} partner over REST and Socket.IO as for a vanished chat (404 Chat not found), storing nothing`, async () => {
      const a = await man(api);
      const b = await woman(api);
      const { chatId } = await insertChat(db(), a.id, b.id);
      const aSocket = await connect(t.baseUrl, a.accessToken);
      const before = await api.post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: '안녕하세요' } });
      assert.equal(before.status, 201, before.text);

      assert.equal((await resolve(await report(a, b), body)).status, 200);
      const rest = await api.post(`/api/chats/${chatId}/messages`, { token: a.accessToken, body: { content: '거기 있어요?', client_msg_id: 'after-1' } });
      assert.deepEqual([rest.status, rest.body], [404, { error: 'Chat not found' }]);
      assert.deepEqual(await request(aSocket, 'sendMessage', { chat_id: chatId, content: '답장해 주세요', client_msg_id: 'after-2' }), {
        ok: false,
        error: 'Chat not found',
      });
      assert.deepEqual(await request(aSocket, 'typing', { chat_id: chatId }), { ok: false, error: 'Chat not found' });
      assert.deepEqual(await request(aSocket, 'markRead', { chat_id: chatId }), { ok: false, error: 'Chat not found' });
      const stored = await db().selectFrom('messages').select(['content', 'sender_id']).where('chat_id', '=', chatId).orderBy('id').execute();
      assert.deepEqual(stored, [{ content: '안녕하세요', sender_id: a.id }], 'nothing stored after the moderation action');

      // The partner's own account cannot send either (a message still in flight from a socket
      // that the suspension is disconnecting): the function refuses it under the chat's lock.
      const { appendMessages } = await import('../../src/chats/messages.repo.js');
      assert.deepEqual(await appendMessages(db(), [{ chatId, senderId: b.id, content: '마지막 한마디', clientMsgId: null }]), [{ kind: 'not_found' }]);

      if (action === 'suspended') {
        // The suspension ends by itself: the chat is back and sending works again.
        await db().updateTable('users').set({ suspended_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', b.id).execute();
        const back = await request(aSocket, 'sendMessage', { chat_id: chatId, content: '다시 만나요' });
        assert.equal(back.ok, true, JSON.stringify(back));
        assert.equal(back.message.content, '다시 만나요');
        assert.equal((await db().selectFrom('messages').select('id').where('chat_id', '=', chatId).execute()).length, 2);
      }
    });
  }

  it('stores the suspension end days from now; a ban is forever and a later shorter suspension does not shorten it', async () => {
    const a = await man(api);
    const b = await woman(api);
    const before = Date.now();
    assert.equal((await resolve(await report(a, b), { action: 'suspend', days: 3 })).status, 200);
    const row = await db().selectFrom('users').select(sql<number>`extract(epoch from suspended_until)::float8`.as('until')).where('id', '=', b.id).executeTakeFirstOrThrow();
    const expected = before / 1000 + 3 * 86400;
    assert.ok(Math.abs(row.until - expected) < 60, `suspended until ${row.until}, expected about ${expected}`);

    assert.equal((await resolve(await report(a, b), { action: 'ban', note: '반복 위반' })).status, 200);
    assert.equal((await resolve(await report(a, b), { action: 'suspend', days: 1 })).status, 200);
    const status = (await queue('?status=resolved&limit=100')).find((r) => r.reported.user_id === b.id)!.reported.status;
    assert.equal(status, 'banned');
    await db().updateTable('users').set({ updated_at: sql<Date>`now()` }).where('id', '=', b.id).execute();
    const login = await api.post('/api/users/login', { body: { email: b.email, password: b.password } });
    assert.deepEqual([login.status, login.body], [403, { error: 'Account suspended' }]);
  });

  it('409 for suspending or banning a moderator (a warning is fine)', async () => {
    const a = await man(api);
    for (const body of [{ action: 'suspend', days: 3 }, { action: 'ban' }]) {
      const res = await resolve(await report(a, moderator2), body);
      assert.deepEqual([res.status, res.body], [409, { error: 'Moderators cannot be suspended or banned' }], JSON.stringify(body));
    }
    assert.equal((await resolve(await report(a, moderator2), { action: 'warn' })).status, 200);
    assert.equal((await api.get('/api/users/me', { token: moderator2.accessToken })).status, 200);
  });
});

describe('GET /api/admin/audit', () => {
  it('records every action newest first, with ids only, and keeps the rows when the accounts are deleted', async () => {
    const a = await man(api);
    const b = await woman(api);
    const r1 = await report(a, b);
    const r2 = await report(b, a);
    assert.equal((await resolve(r1, { action: 'warn', note: '주의' })).status, 200);
    assert.equal((await resolve(r2, { action: 'suspend', days: 2 }, moderator2)).status, 200);
    const res = await api.get('/api/admin/audit?limit=2', { token: moderator.accessToken });
    assert.equal(res.status, 200);
    const [newest, older] = res.body as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(newest!).sort(), ['action', 'audit_id', 'created_at', 'days', 'moderator_id', 'note', 'report_id', 'target_user_id']);
    assert.deepEqual(
      { ...newest, audit_id: 0, created_at: '' },
      { audit_id: 0, moderator_id: moderator2.id, action: 'suspend', target_user_id: a.id, report_id: r2, note: null, days: 2, created_at: '' },
    );
    assert.deepEqual(
      { ...older, audit_id: 0, created_at: '' },
      { audit_id: 0, moderator_id: moderator.id, action: 'warn', target_user_id: b.id, report_id: r1, note: '주의', days: null, created_at: '' },
    );
    assert.ok((newest!.audit_id as number) > (older!.audit_id as number));
    const second = await api.get('/api/admin/audit?limit=1&offset=1', { token: moderator.accessToken });
    assert.deepEqual(second.body, [older]);

    // The target deletes their account: the row stays with its ids (its note is cleared).
    assert.equal((await api.del('/api/users/me', { token: b.accessToken, body: { password: b.password } })).status, 204);
    const afterDeletion = await api.get('/api/admin/audit?limit=2', { token: moderator.accessToken });
    assert.deepEqual(afterDeletion.body[1], { ...older, note: null });
    // A moderator's account deleted: their rows stay too.
    const leaving = await createUser(api, { email: 'mod-3@example.com' });
    const r3 = await report(await woman(api), await man(api));
    assert.equal((await resolve(r3, { action: 'dismiss' }, leaving)).status, 200);
    assert.equal((await api.del('/api/users/me', { token: leaving.accessToken, body: { password: leaving.password } })).status, 204);
    const kept = (await api.get('/api/admin/audit?limit=1', { token: moderator.accessToken })).body[0];
    assert.deepEqual([kept.moderator_id, kept.action, kept.report_id], [leaving.id, 'dismiss', r3]);
    for (const q of ['?limit=0', '?limit=101', '?offset=-1', '?x=1']) {
      assert.equal((await api.get(`/api/admin/audit${q}`, { token: moderator.accessToken })).status, 400, q);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { insertBlock, insertChat } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { man, woman } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
let moderator: TestUser;
before(async () => {
  t = await startTestApp({ MODERATOR_EMAILS: 'export-mod@example.com' });
  api = client(t.baseUrl);
  moderator = await createUser(api, { email: 'export-mod@example.com' });
});
after(async () => t.close());

const sidOf = (token: string): number => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;
const send = async (from: TestUser, chatId: number, content: string): Promise<number> => {
  const res = await api.post(`/api/chats/${chatId}/messages`, { token: from.accessToken, body: { content } });
  assert.equal(res.status, 201, res.text);
  return res.body.message_id;
};

describe('GET /api/users/me/export', () => {
  it('holds everything stored about me, and of other people only their id and name', async () => {
    const me = await woman(api, { birth_date: '1994-02-14', birth_time: '07:30' });
    assert.equal((await api.put('/api/users/me', { token: me.accessToken, body: { location: '서울 마포구', job: '디자이너', bio: '산책을 좋아해요' } })).status, 200);
    const partner = await man(api, { birth_date: '1990-01-01' });
    const closed = await man(api, { birth_date: '1991-04-17' });
    const requester = await man(api);
    const blocked = await man(api);
    const reported = await man(api);
    const open = await insertChat(t.database.db, me.id, partner.id);
    const gone = await insertChat(t.database.db, closed.id, me.id);
    const sent = [await send(me, open.chatId, '안녕하세요'), await send(partner, open.chatId, '반가워요')];
    const mineInClosed = await send(me, gone.chatId, '내 메시지');
    await send(closed, gone.chatId, '상대의 비밀 메시지');
    await insertBlock(t.database.db, closed.id, me.id); // they blocked me: that chat is closed to me now
    assert.equal((await api.post(`/api/chats/${open.chatId}/read`, { token: me.accessToken, body: {} })).status, 204);
    assert.equal((await api.post('/api/matches/request', { token: requester.accessToken, body: { receiver_id: me.id } })).status, 201);
    assert.equal((await api.post(`/api/users/${blocked.id}/block`, { token: me.accessToken })).status, 204);
    const reportId = (await api.post(`/api/users/${reported.id}/report`, { token: me.accessToken, body: { reason: 'spam', details: '광고' } })).body.report_id;
    const reportAgainstMe = (await api.post(`/api/users/${me.id}/report`, { token: partner.accessToken, body: { reason: 'rude' } })).body.report_id;
    assert.equal((await api.post(`/api/admin/reports/${reportAgainstMe}/resolve`, { token: moderator.accessToken, body: { action: 'warn', note: 'moderator-only note' } })).status, 200);
    const second = await api.post('/api/users/login', { body: { email: me.email, password: me.password }, headers: { 'user-agent': 'SajuApp/1.0' } });
    assert.equal((await api.post('/api/auth/logout', { body: { refresh_token: second.body.refresh_token } })).status, 204);

    const res = await api.get('/api/users/me/export', { token: me.accessToken });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="saju-export-${me.id}.json"`);
    const doc = res.body;
    assert.deepEqual(Object.keys(doc).sort(), ['blocks', 'chats', 'devices', 'exported_at', 'matches', 'moderation', 'profile', 'reports', 'saju', 'sessions']);
    assert.deepEqual(doc.profile, (await api.get('/api/users/me', { token: me.accessToken })).body);
    assert.deepEqual(doc.saju, (await api.get('/api/users/me/saju', { token: me.accessToken })).body);

    assert.deepEqual(
      doc.matches.map((m: any) => [m.match_id, m.status, m.direction, m.partner]),
      [
        [open.matchId, 'matched', 'sent', { user_id: partner.id, name: partner.name }],
        [gone.matchId, 'matched', 'received', { user_id: closed.id, name: closed.name }],
        [doc.matches[2].match_id, 'requested', 'received', { user_id: requester.id, name: requester.name }],
      ],
    );
    const [openChat, closedChat] = doc.chats;
    assert.deepEqual(
      { ...openChat, created_at: null, messages: openChat.messages.map((m: any) => [m.message_id, m.sender_id, m.content]) },
      {
        chat_id: open.chatId,
        match_id: open.matchId,
        created_at: null,
        partner: { user_id: partner.id, name: partner.name },
        open: true,
        read_up_to: sent[1],
        messages: [
          [sent[0], me.id, '안녕하세요'],
          [sent[1], partner.id, '반가워요'],
        ],
      },
    );
    assert.equal(closedChat.open, false);
    assert.deepEqual(
      closedChat.messages.map((m: any) => [m.message_id, m.content]),
      [[mineInClosed, '내 메시지']],
      'only my own messages of a chat closed to me',
    );
    assert.deepEqual(doc.blocks.map((b: any) => [b.user_id, b.name]), [[blocked.id, blocked.name]]);
    assert.deepEqual(doc.reports.map((r: any) => [r.report_id, r.reported_user_id, r.reason, r.details, r.status]), [[reportId, reported.id, 'spam', '광고', 'open']]);
    assert.deepEqual(
      doc.sessions.map((s: any) => [s.session_id, s.revoked_at === null, s.user_agent, s.current]),
      [
        [sidOf(me.accessToken), true, doc.sessions[0].user_agent, true],
        [sidOf(second.body.access_token), false, 'SajuApp/1.0', false],
      ],
    );
    assert.equal(doc.sessions[0].ip, '127.0.0.1');
    assert.deepEqual(doc.moderation.map((m: any) => [m.action, m.days]), [['warn', null]]);

    // Nothing about anyone else beyond id and name: no emails, birth dates, profiles, who reported me or why.
    for (const other of [partner, closed, requester, blocked, reported, moderator]) assert.ok(!res.text.includes(other.email), other.email);
    for (const secret of ['1990-01-01', '1991-04-17', '상대의 비밀 메시지', 'rude', 'moderator-only note', String(moderator.id) + ',"action"']) {
      assert.ok(!res.text.includes(secret), secret);
    }
  });

  it('at most 3 exports per hour per person (429 with Retry-After), others unaffected; 401 without a token', async () => {
    const a = await createUser(api);
    const b = await createUser(api);
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await api.get('/api/users/me/export', { token: a.accessToken });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter > 3000 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.deepEqual(last!.body, { error: 'Too many exports, please try again later' });
    assert.equal((await api.get('/api/users/me/export', { token: b.accessToken })).status, 200);
    assert.equal((await api.get('/api/users/me/export')).status, 401);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { COLUMNS } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { insertChat } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { man, recommendations, sendRequest, woman } from '../matches/helpers.js';

/**
 * DELETE /api/users/me removes every trace of the person that the contract does not keep: profile
 * and discovery preferences, sessions and refresh tokens, activity, blocks either way, matches
 * (unmatched ones too), cancelled requests, daily sets (theirs and their place in others'), chats
 * with every message and read mark. Moderation keeps ids only: reports against them keep the
 * reported id, audit rows keep their ids and lose the note. Checked over every table the schema
 * lists, so a table added later that keeps the person fails here.
 */
let t: TestApp;
let api: Client;
let moderator: TestUser;
before(async () => {
  t = await startTestApp({ MODERATOR_EMAILS: 'deletion-mod@example.com', AUTH_RATE_LIMIT_PER_EMAIL: '1000' });
  api = client(t.baseUrl);
  moderator = await createUser(api, { email: 'deletion-mod@example.com' });
});
after(async () => t.close());

const db = () => t.database.db;

/** Columns that hold a user id, per table (the rest of an int4 column is some other row's id). */
const USER_ID_COLUMN = /^(id|user_id|requester_id|receiver_id|sender_id|blocker_id|blocked_id|reporter_id|reported_user_id|candidate_id|unmatched_by|resolved_by|moderator_id|target_user_id)$/;
/** What the contract keeps of a deleted person: their id in moderation records. */
const KEPT = new Set(['reports.reported_user_id', 'moderation_audit.target_user_id']);

async function rowsNaming(userId: number, markers: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const [table, columns] of Object.entries(COLUMNS)) {
    for (const [column, type] of Object.entries(columns)) {
      const key = `${table}.${column}`;
      const isUserId = type.startsWith('int4') && USER_ID_COLUMN.test(column) && (column !== 'id' || table === 'users');
      const isText = /^(varchar|text|bpchar|_text)/.test(type);
      if (!isUserId && !isText) continue;
      const condition = isUserId
        ? sql<boolean>`${sql.ref(column)} = ${userId}`
        : sql<boolean>`${sql.ref(column)}::text ILIKE ANY(${markers.map((m) => `%${m}%`)}::text[])`;
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${condition}`.execute(db());
      if (rows[0]!.n > 0 && !(isUserId && KEPT.has(key))) found.push(`${key}: ${rows[0]!.n}`);
    }
  }
  return found;
}

describe('DELETE /api/users/me', () => {
  it('leaves nothing of the person but the ids that moderation keeps', async () => {
    const marker = `gone${Date.now().toString(36)}`;
    const x = await man(api, { name: `지울 사람 ${marker}`, email: `leaving-${marker}@example.com` });
    const [p, q, u, r, z] = [await woman(api), await woman(api), await woman(api), await woman(api), await woman(api)];

    // Profile and discovery preferences, a second session, activity.
    const put = await api.put('/api/users/me', {
      token: x.accessToken,
      body: { bio: `소개 ${marker}`, job: `직업 ${marker}`, region: 'seoul', preferred_regions: ['seoul', 'busan'], age_min: 25, age_max: 40, discoverable: false, show_activity: false },
    });
    assert.equal(put.status, 200, put.text);
    const tablet = await api.post('/api/users/login', { body: { email: x.email, password: x.password }, headers: { 'user-agent': `tablet ${marker}` } });
    assert.equal(tablet.status, 200);
    assert.equal((await api.get('/api/auth/sessions', { token: x.accessToken })).body.length, 2);

    // A chat with messages and read marks both ways.
    const { chatId } = await insertChat(db(), x.id, p.id);
    for (const [who, text] of [[x, `안녕 ${marker}`], [p, '안녕하세요']] as const) {
      assert.equal((await api.post(`/api/chats/${chatId}/messages`, { token: who.accessToken, body: { content: text } })).status, 201);
      assert.equal((await api.post(`/api/chats/${chatId}/read`, { token: who.accessToken, body: {} })).status, 204);
    }
    // A cancelled request, an unmatched match, blocks either way, daily sets on both sides.
    const cancelled = await sendRequest(api, x, q);
    assert.equal((await api.post(`/api/matches/${cancelled.body.match_id}/cancel`, { token: x.accessToken })).status, 204);
    const unmatched = await insertChat(db(), u.id, x.id);
    assert.equal((await api.post(`/api/matches/${unmatched.matchId}/unmatch`, { token: u.accessToken })).status, 204);
    assert.equal((await api.post(`/api/users/${z.id}/block`, { token: x.accessToken })).status, 204);
    assert.equal((await api.post(`/api/users/${x.id}/block`, { token: r.accessToken })).status, 204);
    assert.equal((await recommendations(api, x)).status, 200);
    await db().insertInto('daily_recommendation_sets').values({ user_id: p.id, kst_date: '2026-01-01' }).execute();
    await db().insertInto('daily_recommendations').values({ user_id: p.id, kst_date: '2026-01-01', position: 0, candidate_id: x.id, score: 50 }).execute();

    // Moderation: a report by X, a report against X that a moderator acts on (a warning with a note).
    assert.equal((await api.post(`/api/users/${r.id}/report`, { token: x.accessToken, body: { reason: 'spam' } })).status, 201);
    const against = await api.post(`/api/users/${x.id}/report`, { token: p.accessToken, body: { reason: 'harassment' } });
    assert.equal(against.status, 201);
    const warned = await api.post(`/api/admin/reports/${against.body.report_id}/resolve`, {
      token: moderator.accessToken,
      body: { action: 'warn', note: `경고 ${marker}` },
    });
    assert.equal(warned.status, 200, warned.text);

    const markers = [marker, x.email];
    assert.ok((await rowsNaming(x.id, markers)).length >= 10, 'the scan sees the person before the deletion');
    const res = await api.del('/api/users/me', { token: x.accessToken, body: { password: x.password } });
    assert.equal(res.status, 204);

    assert.deepEqual(await rowsNaming(x.id, markers), []);
    // Both sessions are gone, not just revoked: their tokens answer 401.
    for (const token of [x.accessToken, tablet.body.access_token]) assert.equal((await api.get('/api/users/me', { token })).status, 401);
    assert.equal((await api.post('/api/auth/refresh', { body: { refresh_token: tablet.body.refresh_token } })).status, 401);
    // What moderation keeps: the report against X (reported id only) and the audit row's ids.
    const report = await db().selectFrom('reports').select(['reported_user_id', 'reporter_id', 'status']).where('id', '=', against.body.report_id).executeTakeFirstOrThrow();
    assert.deepEqual(report, { reported_user_id: x.id, reporter_id: p.id, status: 'resolved' });
    const audit = await db().selectFrom('moderation_audit').select(['moderator_id', 'target_user_id', 'report_id', 'note', 'action']).where('report_id', '=', against.body.report_id).execute();
    assert.deepEqual(audit, [{ moderator_id: moderator.id, target_user_id: x.id, report_id: against.body.report_id, note: null, action: 'warn' }]);
    const listed = await api.get('/api/admin/reports?status=resolved&limit=100', { token: moderator.accessToken });
    const row = (listed.body as Array<{ report_id: number; reported: unknown; evidence: unknown[] }>).find((x2) => x2.report_id === against.body.report_id)!;
    assert.deepEqual(row.reported, { user_id: x.id, name: null, status: 'deleted', reports_open: 0 });
    assert.deepEqual(row.evidence, [], 'the chat went with the account');
    // P's chat with X went with it.
    assert.deepEqual((await api.get('/api/chats', { token: p.accessToken })).body, []);
  });
});

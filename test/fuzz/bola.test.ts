import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import type { Response } from '../helpers/client.js';
import { closeSockets, connect, eventually, request } from '../helpers/socket.js';
import { errorBodyProblem } from './lib/checks.js';
import { fetchOpenApi, idInputsOf, operationsOf, type Operation } from './lib/openapi.js';
import { buildWorld, type World } from './lib/world.js';

/**
 * BOLA sweep (broken object-level authorisation), driven by the OpenAPI document: every operation
 * that takes an id — in its path, its query or its body — is called by F with ids that belong to
 * other people (A and B's chat, match and messages, a declined and a pending match of A's, a user
 * who blocked F, a deleted user), and so is every socket event that takes a chat_id. Statuses are
 * exactly the contract's (other people's chats and matches → 404, answering one's own request →
 * 403, profiles and compatibility across a block → 404), no answer contains A's or B's private
 * data, and afterwards A and B's chat, matches and read marks are exactly as before.
 *
 * The sweep fails when the document gains an id-taking operation or input it does not cover.
 */

let t: TestApp;
let w: World;
let ops: Operation[];

before(async () => {
  t = await startTestApp({ AUTH_RATE_LIMIT_PER_IP: '1000000', AUTH_RATE_LIMIT_PER_EMAIL: '1000000', AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000000', PROFILE_VIEWS_PER_HOUR: '1000000' });
  w = await buildWorld(t);
  ops = operationsOf(await fetchOpenApi(t.baseUrl));
  // F blocks D: profiles and compatibility are hidden whoever blocked whom (Z blocked F).
  const block = await w.api.post(`/api/users/${w.d.id}/block`, { token: w.f.accessToken });
  assert.equal(block.status, 204);
});

after(async () => {
  await closeSockets();
  await t?.close();
});

interface Case {
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  status: number;
  /** The id inputs this case aims at other people's rows (`path:chat_id`, `query:before` …). */
  covers: string[];
  /** Further checks of the answer. */
  check?: (res: Response<any>) => void;
}

const PUBLIC_PROFILE_KEYS = ['active_recently', 'age', 'bio', 'gender', 'job', 'location', 'name', 'profile_img_url', 'region', 'user_id'];

function keysOf(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

/** Every id-taking operation of the document, with the cases that aim it at other people's rows. */
function sweep(w: World): Record<string, { inputs: string[]; cases: Case[] }> {
  const none = 2_000_000_000;
  return {
    'GET /api/users/{user_id}': {
      inputs: ['path:user_id'],
      cases: [
        {
          label: "A's public profile: public fields only",
          method: 'GET',
          path: `/api/users/${w.a.id}`,
          status: 200,
          covers: ['path:user_id'],
          check: (res) => assert.deepEqual(keysOf(res.body), PUBLIC_PROFILE_KEYS),
        },
        { label: 'Z blocked F', method: 'GET', path: `/api/users/${w.z.id}`, status: 404, covers: ['path:user_id'] },
        { label: 'F blocked D', method: 'GET', path: `/api/users/${w.d.id}`, status: 404, covers: ['path:user_id'] },
        { label: 'deleted user', method: 'GET', path: `/api/users/${w.deletedUserId}`, status: 404, covers: ['path:user_id'] },
      ],
    },
    'GET /api/matches/compatibility/{user_id}': {
      inputs: ['path:user_id'],
      cases: [
        {
          label: 'with A: the score, no private data',
          method: 'GET',
          path: `/api/matches/compatibility/${w.a.id}`,
          status: 200,
          covers: ['path:user_id'],
          check: (res) => assert.deepEqual(keysOf(res.body), ['breakdown', 'compatibility_score', 'summary', 'user_id']),
        },
        { label: 'Z blocked F', method: 'GET', path: `/api/matches/compatibility/${w.z.id}`, status: 404, covers: ['path:user_id'] },
        { label: 'F blocked D', method: 'GET', path: `/api/matches/compatibility/${w.d.id}`, status: 404, covers: ['path:user_id'] },
        { label: 'deleted user', method: 'GET', path: `/api/matches/compatibility/${w.deletedUserId}`, status: 404, covers: ['path:user_id'] },
      ],
    },
    'POST /api/matches/request': {
      inputs: ['body:receiver_id'],
      cases: [
        { label: 'to Z, who blocked F', method: 'POST', path: '/api/matches/request', body: { receiver_id: w.z.id }, status: 404, covers: ['body:receiver_id'] },
        { label: 'to D, whom F blocked', method: 'POST', path: '/api/matches/request', body: { receiver_id: w.d.id }, status: 404, covers: ['body:receiver_id'] },
        { label: 'to a deleted user', method: 'POST', path: '/api/matches/request', body: { receiver_id: w.deletedUserId }, status: 404, covers: ['body:receiver_id'] },
        {
          label: 'to B, who is matched with A: a new request of F’s own, nothing of A’s',
          method: 'POST',
          path: '/api/matches/request',
          body: { receiver_id: w.b.id },
          status: 201,
          covers: ['body:receiver_id'],
          check: (res) => {
            assert.deepEqual(keysOf(res.body), ['match_id', 'status']);
            assert.equal(res.body.status, 'requested');
            assert.ok(![w.matchAB, w.matchAD, w.matchAD2].includes(res.body.match_id));
          },
        },
      ],
    },
    ...Object.fromEntries(
      (['accept', 'decline'] as const).map((answer) => [
        `POST /api/matches/{match_id}/${answer}`,
        {
          inputs: ['path:match_id'],
          cases: [
            { label: "A and B's match", method: 'POST', path: `/api/matches/${w.matchAB}/${answer}`, status: 404, covers: ['path:match_id'] },
            { label: "A and D's declined match", method: 'POST', path: `/api/matches/${w.matchAD}/${answer}`, status: 404, covers: ['path:match_id'] },
            { label: "A's pending request to D2", method: 'POST', path: `/api/matches/${w.matchAD2}/${answer}`, status: 404, covers: ['path:match_id'] },
            { label: "F's own request to Q: only Q may answer", method: 'POST', path: `/api/matches/${w.matchFQ}/${answer}`, status: 403, covers: ['path:match_id'] },
            { label: 'no such match', method: 'POST', path: `/api/matches/${none}/${answer}`, status: 404, covers: ['path:match_id'] },
          ] satisfies Case[],
        },
      ]),
    ),
    ...Object.fromEntries(
      (['cancel', 'unmatch'] as const).map((action) => [
        `POST /api/matches/{match_id}/${action}`,
        {
          inputs: ['path:match_id'],
          cases: [
            { label: "A and B's match", method: 'POST', path: `/api/matches/${w.matchAB}/${action}`, status: 404, covers: ['path:match_id'] },
            { label: "A and D's declined match", method: 'POST', path: `/api/matches/${w.matchAD}/${action}`, status: 404, covers: ['path:match_id'] },
            { label: "A's pending request to D2", method: 'POST', path: `/api/matches/${w.matchAD2}/${action}`, status: 404, covers: ['path:match_id'] },
            { label: 'no such match', method: 'POST', path: `/api/matches/${none}/${action}`, status: 404, covers: ['path:match_id'] },
            ...(action === 'cancel'
              ? [{ label: "R's request to F: only R may withdraw it", method: 'POST', path: `/api/matches/${w.matchRF}/cancel`, status: 403, covers: ['path:match_id'] } satisfies Case]
              : []),
          ] satisfies Case[],
        },
      ]),
    ),
    'GET /api/chats/{chat_id}/messages': {
      inputs: ['path:chat_id', 'query:after', 'query:before'],
      cases: [
        { label: "A and B's chat", method: 'GET', path: `/api/chats/${w.chatAB}/messages`, status: 404, covers: ['path:chat_id'] },
        { label: "A and B's chat, catching up", method: 'GET', path: `/api/chats/${w.chatAB}/messages?after=1`, status: 404, covers: ['path:chat_id'] },
        { label: "A and D's chat of a declined match", method: 'GET', path: `/api/chats/${w.chatAD}/messages`, status: 404, covers: ['path:chat_id'] },
        {
          label: "F's own chat, after one of A's message ids: F's messages only",
          method: 'GET',
          path: `/api/chats/${w.chatFP}/messages?after=${Math.min(...w.messagesAB) - 1}`,
          status: 200,
          covers: ['query:after'],
          check: (res) => assert.ok((res.body as Array<{ message_id: number }>).every((m) => w.messagesFP.includes(m.message_id) || m.message_id > Math.max(...w.messagesAB))),
        },
        {
          label: "F's own chat, before one of A's message ids: F's messages only",
          method: 'GET',
          path: `/api/chats/${w.chatFP}/messages?before=${Math.max(...w.messagesAB) + 1}`,
          status: 200,
          covers: ['query:before'],
          check: (res) => assert.ok((res.body as Array<{ message_id: number }>).every((m) => w.messagesFP.includes(m.message_id))),
        },
      ],
    },
    'POST /api/chats/{chat_id}/read': {
      inputs: ['body:message_id', 'path:chat_id'],
      cases: [
        { label: "A and B's chat", method: 'POST', path: `/api/chats/${w.chatAB}/read`, body: {}, status: 404, covers: ['path:chat_id'] },
        {
          label: "A and B's chat, at their message",
          method: 'POST',
          path: `/api/chats/${w.chatAB}/read`,
          body: { message_id: w.messagesAB[1] },
          status: 404,
          covers: ['path:chat_id', 'body:message_id'],
        },
        {
          label: "F's own chat, at one of A and B's messages",
          method: 'POST',
          path: `/api/chats/${w.chatFP}/read`,
          body: { message_id: w.messagesAB[1] },
          status: 404,
          covers: ['body:message_id'],
          check: (res) => assert.equal(res.body.error, 'Message not found in this chat'),
        },
        { label: "A and D's chat of a declined match", method: 'POST', path: `/api/chats/${w.chatAD}/read`, body: {}, status: 404, covers: ['path:chat_id'] },
      ],
    },
    'POST /api/chats/{chat_id}/messages': {
      inputs: ['path:chat_id'],
      cases: [
        { label: "into A and B's chat", method: 'POST', path: `/api/chats/${w.chatAB}/messages`, body: { content: 'intruder' }, status: 404, covers: ['path:chat_id'] },
        { label: "into A and D's declined chat", method: 'POST', path: `/api/chats/${w.chatAD}/messages`, body: { content: 'intruder' }, status: 404, covers: ['path:chat_id'] },
      ],
    },
    'POST /api/users/{user_id}/report': {
      inputs: ['path:user_id'],
      cases: [
        {
          label: 'A: a report id, nothing else',
          method: 'POST',
          path: `/api/users/${w.a.id}/report`,
          body: { reason: 'spam' },
          status: 201,
          covers: ['path:user_id'],
          check: (res) => assert.deepEqual(keysOf(res.body), ['report_id']),
        },
        { label: 'Z, who blocked F (reports work across blocks)', method: 'POST', path: `/api/users/${w.z.id}/report`, body: { reason: 'spam' }, status: 201, covers: ['path:user_id'] },
        { label: 'a deleted user', method: 'POST', path: `/api/users/${w.deletedUserId}/report`, body: { reason: 'spam' }, status: 404, covers: ['path:user_id'] },
      ],
    },
    'DELETE /api/auth/sessions/{session_id}': {
      inputs: ['path:session_id'],
      cases: [
        { label: "A's session", method: 'DELETE', path: `/api/auth/sessions/${w.aSessionId}`, status: 404, covers: ['path:session_id'] },
        { label: "A's session is still live", method: 'GET', path: `/api/users/${w.a.id}`, status: 200, covers: [] },
        { label: 'no such session', method: 'DELETE', path: `/api/auth/sessions/${none}`, status: 404, covers: ['path:session_id'] },
      ],
    },
    'DELETE /api/devices/{device_id}': {
      inputs: ['path:device_id'],
      cases: [
        { label: "A's device", method: 'DELETE', path: `/api/devices/${w.deviceA}`, status: 404, covers: ['path:device_id'] },
        { label: 'no such device', method: 'DELETE', path: `/api/devices/${none}`, status: 404, covers: ['path:device_id'] },
      ],
    },
    'POST /api/admin/reports/{report_id}/resolve': {
      inputs: ['path:report_id'],
      cases: [
        // F is no moderator: the route does not exist for F, whoever's report it names.
        {
          label: "a report against F's partner, as a non-moderator",
          method: 'POST',
          path: `/api/admin/reports/${w.reportAB}/resolve`,
          body: { action: 'ban' },
          status: 404,
          covers: ['path:report_id'],
        },
        { label: 'no such report', method: 'POST', path: `/api/admin/reports/${none}/resolve`, body: { action: 'dismiss' }, status: 404, covers: ['path:report_id'] },
      ],
    },
    'POST /api/users/{user_id}/block': {
      inputs: ['path:user_id'],
      cases: [
        { label: 'A', method: 'POST', path: `/api/users/${w.a.id}/block`, status: 204, covers: ['path:user_id'] },
        { label: 'A is hidden from F now', method: 'GET', path: `/api/users/${w.a.id}`, status: 404, covers: [] },
        { label: 'Z back', method: 'POST', path: `/api/users/${w.z.id}/block`, status: 204, covers: ['path:user_id'] },
        { label: 'a deleted user', method: 'POST', path: `/api/users/${w.deletedUserId}/block`, status: 404, covers: ['path:user_id'] },
      ],
    },
    'DELETE /api/users/{user_id}/block': {
      inputs: ['path:user_id'],
      cases: [
        { label: 'A', method: 'DELETE', path: `/api/users/${w.a.id}/block`, status: 204, covers: ['path:user_id'] },
        { label: 'A is visible again', method: 'GET', path: `/api/users/${w.a.id}`, status: 200, covers: [] },
        { label: "Z: lifts F's own block only", method: 'DELETE', path: `/api/users/${w.z.id}/block`, status: 204, covers: ['path:user_id'] },
        { label: "Z's block on F stays", method: 'GET', path: `/api/users/${w.z.id}`, status: 404, covers: [] },
        { label: "Z's block on F stays (compatibility)", method: 'GET', path: `/api/matches/compatibility/${w.z.id}`, status: 404, covers: [] },
        { label: 'a deleted user', method: 'DELETE', path: `/api/users/${w.deletedUserId}/block`, status: 404, covers: ['path:user_id'] },
      ],
    },
  };
}

/** The socket events that take a chat_id, from the client → server table of docs/api.md. */
function documentedChatEvents(): string[] {
  const reference = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const table = reference.slice(reference.indexOf('| event | payload | ack |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n');
  return rows
    .map((row) => /^\| `(\w+)` \| `\{([^}]*)\}`/.exec(row))
    .filter((m): m is RegExpExecArray => m !== null && /\bchat_id\b/.test(m[2]!))
    .map((m) => m[1]!)
    .sort();
}

async function stateOfAB() {
  const db = t.database.db;
  const matches = await db.selectFrom('matches').select(['id', 'status']).where('id', 'in', [w.matchAB, w.matchAD, w.matchAD2]).orderBy('id').execute();
  const messages = await db.selectFrom('messages').select(['id', 'sender_id', 'content']).where('chat_id', 'in', [w.chatAB, w.chatAD]).orderBy('id').execute();
  const reads = await db.selectFrom('chat_reads').selectAll().where('chat_id', 'in', [w.chatAB, w.chatAD]).orderBy('user_id').execute();
  const sessionA = await db.selectFrom('auth_sessions').select(['id', 'revoked_at']).where('id', '=', w.aSessionId).execute();
  const reportAB = await db.selectFrom('reports').select(['id', 'status', 'resolution']).where('id', '=', w.reportAB).execute();
  const chatsOfA = (await w.api.get('/api/chats', { token: w.a.accessToken })).body;
  const chatsOfB = (await w.api.get('/api/chats', { token: w.b.accessToken })).body;
  const devicesOfA = await db.selectFrom('devices').select(['id', 'session_id', 'token']).where('user_id', '=', w.a.id).execute();
  return { matches, messages, reads, chatsOfA, chatsOfB, sessionA, reportAB, devicesOfA };
}

describe('BOLA sweep', () => {
  it('knows every id-taking operation and input of the OpenAPI document', () => {
    const documented = ops
      .filter((op) => idInputsOf(op).length > 0)
      .map((op) => `${op.key} ${idInputsOf(op).join(' ')}`)
      .sort();
    const known = Object.entries(sweep(w))
      .map(([key, { inputs }]) => `${key} ${[...inputs].sort().join(' ')}`)
      .sort();
    assert.deepEqual(known, documented, 'an id-taking route or input is missing from the BOLA sweep (or the sweep lists one that is gone)');
    assert.ok(documented.length >= 10, `only ${documented.length} id-taking operations found`);
  });

  it("gives F exactly the contract's status for other people's ids, and nothing private", async () => {
    const before = await stateOfAB();
    const failures: string[] = [];
    let calls = 0;
    for (const [key, { inputs, cases }] of Object.entries(sweep(w))) {
      const covered = new Set(cases.flatMap((c) => c.covers));
      const missing = inputs.filter((i) => !covered.has(i));
      if (missing.length > 0) failures.push(`${key}: no case aims ${missing.join(', ')} at someone else's row`);
      for (const c of cases) {
        calls += 1;
        const res = await w.api.request(c.method, c.path, { token: w.f.accessToken, ...(c.body === undefined ? {} : { body: c.body }) });
        const where = `${key} — ${c.label}: ${c.method} ${c.path}`;
        if (res.status !== c.status) failures.push(`${where}: ${res.status} ${res.text.slice(0, 200)} (expected ${c.status})`);
        const leaked = w.secretsAB.filter((s) => res.text.includes(s));
        if (leaked.length > 0) failures.push(`${where}: answer contains ${leaked.join(', ')}`);
        if (res.status >= 400) {
          const shape = errorBodyProblem(res.body);
          if (shape) failures.push(`${where}: ${shape}`);
        } else if (res.status === c.status) {
          try {
            c.check?.(res);
          } catch (error) {
            failures.push(`${where}: ${(error as Error).message}`);
          }
        }
      }
    }
    console.log(`# BOLA sweep: ${calls} REST calls`);
    assert.deepEqual(failures, []);
    assert.deepEqual(await stateOfAB(), before, "A and B's matches, messages, read marks or chat lists changed");
  });

  it("F's lists show nothing of A's and B's", async () => {
    const chats = await w.api.get('/api/chats', { token: w.f.accessToken });
    const matches = await w.api.get('/api/matches', { token: w.f.accessToken });
    for (const res of [chats, matches]) {
      assert.equal(res.status, 200);
      assert.deepEqual(w.secretsAB.filter((s) => res.text.includes(s)), []);
    }
    assert.ok(!(chats.body as Array<{ chat_id: number }>).some((c) => [w.chatAB, w.chatAD].includes(c.chat_id)));
    assert.ok(!(matches.body as Array<{ match_id: number }>).some((m) => [w.matchAB, w.matchAD, w.matchAD2].includes(m.match_id)));
  });

  it("F's own views of issue 13 (past partners, sessions, devices, export) show nothing of A's and B's; the admin routes do not exist for F", async () => {
    const views = ['/api/matches/past', '/api/auth/sessions', '/api/devices', '/api/users/me/export', '/api/users/me'];
    for (const path of views) {
      const res = await w.api.get(path, { token: w.f.accessToken });
      assert.equal(res.status, 200, `${path}: ${res.text.slice(0, 200)}`);
      assert.deepEqual(w.secretsAB.filter((s) => res.text.includes(s)), [], path);
    }
    const sessions = (await w.api.get('/api/auth/sessions', { token: w.f.accessToken })).body as Array<{ session_id: number }>;
    assert.deepEqual(sessions.map((x) => x.session_id), [w.fSessionId]);
    const exported = (await w.api.get('/api/users/me/export', { token: w.f.accessToken })).body as Record<string, unknown>;
    const text = JSON.stringify(exported);
    const others: Record<string, number[]> = {
      chat_id: [w.chatAB, w.chatAD],
      match_id: [w.matchAB, w.matchAD, w.matchAD2],
      report_id: [w.reportAB],
      session_id: [w.aSessionId],
      device_id: [w.deviceA],
      message_id: w.messagesAB,
    };
    for (const [key, ids] of Object.entries(others)) {
      for (const id of ids) assert.ok(!new RegExp(`"${key}":${id}\\b`).test(text), `the export names another person's ${key} ${id}`);
    }
    for (const path of ['/api/admin/reports', '/api/admin/reports?status=resolved', '/api/admin/audit']) {
      const res = await w.api.get(path, { token: w.f.accessToken });
      assert.equal(res.status, 404, path);
      assert.deepEqual(w.secretsAB.filter((s) => res.text.includes(s)), [], path);
    }
  });

  it('every socket event taking a chat_id refuses F in other people’s chats, and tells A and B nothing', async () => {
    const events = documentedChatEvents();
    const cases: Record<string, Array<{ payload: object; error: string }>> = {
      markRead: [
        { payload: { chat_id: w.chatAB }, error: 'Chat not found' },
        { payload: { chat_id: w.chatAB, message_id: w.messagesAB[1] }, error: 'Chat not found' },
        { payload: { chat_id: w.chatFP, message_id: w.messagesAB[1] }, error: 'Message not found in this chat' },
        { payload: { chat_id: w.chatAD }, error: 'Chat not found' },
      ],
      sendMessage: [
        { payload: { chat_id: w.chatAB, content: 'intruder' }, error: 'Chat not found' },
        { payload: { chat_id: w.chatAD, content: 'intruder', client_msg_id: 'x-1' }, error: 'Chat not found' },
      ],
      typing: [
        { payload: { chat_id: w.chatAB }, error: 'Chat not found' },
        { payload: { chat_id: w.chatAD }, error: 'Chat not found' },
      ],
    };
    assert.deepEqual(Object.keys(cases).sort(), events, 'a socket event taking chat_id is missing from the sweep (or gone)');
    const before = await stateOfAB();
    const f = await connect(t.baseUrl, w.f.accessToken);
    const a = await connect(t.baseUrl, w.a.accessToken);
    const b = await connect(t.baseUrl, w.b.accessToken);
    const seen: Array<{ who: string; event: string; payload: unknown }> = [];
    a.onAny((event: string, payload: unknown) => seen.push({ who: 'A', event, payload }));
    b.onAny((event: string, payload: unknown) => seen.push({ who: 'B', event, payload }));
    for (const [event, list] of Object.entries(cases)) {
      for (const { payload, error } of list) {
        assert.deepEqual(await request(f, event, payload), { ok: false, error }, `${event} ${JSON.stringify(payload)}`);
      }
    }
    // Something A does now reaches B: had F's events got through, they would have arrived first.
    assert.deepEqual(await request(a, 'typing', { chat_id: w.chatAB }), { ok: true });
    await eventually(() => assert.ok(seen.length > 0));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, [{ who: 'B', event: 'typing', payload: { chat_id: w.chatAB, user_id: w.a.id } }]);
    assert.deepEqual(await stateOfAB(), before);
  });
});

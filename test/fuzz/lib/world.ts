import { createSigner } from 'fast-jwt';
import type { TestApp } from '../../helpers/app.js';
import { insertBlock, insertChat } from '../../helpers/chat-factory.js';
import { client, type Client } from '../../helpers/client.js';
import { createUser, type TestUser } from '../../helpers/factories.js';

/**
 * The people and rows the fuzzers and the BOLA sweep aim at:
 * - F, the fuzzing user, matched with P (chat FP, messages both ways), with a request from R
 *   waiting for F's answer and a request of F's own to Q still pending;
 * - A and B, matched with each other (chat AB, private messages), with a declined match between A
 *   and D and a pending request from A to D2 — none of it F's business;
 * - Z, who blocked F; and a user who deleted their account.
 */
export interface World {
  api: Client;
  f: TestUser;
  p: TestUser;
  q: TestUser;
  r: TestUser;
  a: TestUser;
  b: TestUser;
  d: TestUser;
  d2: TestUser;
  z: TestUser;
  fSessionId: number;
  aSessionId: number;
  deletedUserId: number;
  chatFP: number;
  matchFP: number;
  chatAB: number;
  matchAB: number;
  matchAD: number;
  /** The chat row of the declined A–D match (unusable: not matched). */
  chatAD: number;
  /** R → F, pending: F may answer. */
  matchRF: number;
  /** F → Q, pending: F may not answer it. */
  matchFQ: number;
  /** A → D2, pending. */
  matchAD2: number;
  /** A's report against B (for the moderators only). */
  reportAB: number;
  /** A's push device (an FCM token). */
  deviceA: number;
  messagesFP: number[];
  messagesAB: number[];
  /** Every private string of A and B (emails, message contents, tokens). */
  secretsAB: string[];
  /** Access tokens that must be refused: forged, tampered, expired, of ended sessions … */
  badTokens: string[];
}

/** F's email: the HTTP fuzzer lists it in MODERATOR_EMAILS, so that the admin routes are fuzzed too
 * (to anyone else they answer 404 before validating anything). Each test file has its own database. */
export const FUZZER_EMAIL = 'fuzzer-f@example.com';

export function sessionIdOf(accessToken: string): number {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: number };
  return payload.sid;
}

async function send(api: Client, user: TestUser, chatId: number, content: string): Promise<number> {
  const res = await api.post(`/api/chats/${chatId}/messages`, { token: user.accessToken, body: { content } });
  if (res.status !== 201) throw new Error(`message: ${res.status} ${res.text}`);
  return res.body.message_id as number;
}

async function requestMatch(api: Client, from: TestUser, to: TestUser): Promise<number> {
  const res = await api.post('/api/matches/request', { token: from.accessToken, body: { receiver_id: to.id } });
  if (res.status !== 201) throw new Error(`match request: ${res.status} ${res.text}`);
  return res.body.match_id as number;
}

export async function buildWorld(t: TestApp): Promise<World> {
  const api = client(t.baseUrl);
  const db = t.database.db;
  const [f, p, q, r, a, b, d, d2, z, gone, loggedOut] = await Promise.all([
    createUser(api, { gender: 'male', name: 'Fuzzer F', email: FUZZER_EMAIL }),
    createUser(api, { gender: 'female', name: 'Partner P' }),
    createUser(api, { gender: 'female', name: 'Quiet Q' }),
    createUser(api, { gender: 'female', name: 'Requester R' }),
    createUser(api, { gender: 'male', name: 'Alice A', birth_date: '1991-07-04' }),
    createUser(api, { gender: 'female', name: 'Bora B', birth_date: '1993-11-23' }),
    createUser(api, { gender: 'female', name: 'Dana D' }),
    createUser(api, { gender: 'female', name: 'Dana D2' }),
    createUser(api, { gender: 'female', name: 'Blocker Z' }),
    createUser(api, { gender: 'female', name: 'Gone G' }),
    createUser(api, { gender: 'male', name: 'Logged-out L' }),
  ]);
  const fp = await insertChat(db, f.id, p.id);
  const ab = await insertChat(db, a.id, b.id);
  const ad = await insertChat(db, a.id, d.id, 'declined');
  const messagesFP = [await send(api, p, fp.chatId, 'hello F'), await send(api, f, fp.chatId, 'hello P')];
  const secretMessages = ['A-to-B secret: my number is 010-1234-5678', 'B-to-A secret: meet at Gangnam 7pm'];
  const messagesAB = [await send(api, a, ab.chatId, secretMessages[0]!), await send(api, b, ab.chatId, secretMessages[1]!)];
  const matchRF = await requestMatch(api, r, f);
  const matchFQ = await requestMatch(api, f, q);
  const matchAD2 = await requestMatch(api, a, d2);
  await insertBlock(db, z.id, f.id);
  const filed = await api.post(`/api/users/${b.id}/report`, { token: a.accessToken, body: { reason: 'A reports B' } });
  if (filed.status !== 201) throw new Error(`report: ${filed.status} ${filed.text}`);

  const del = await api.del('/api/users/me', { token: gone.accessToken, body: { password: gone.password } });
  if (del.status !== 204) throw new Error(`delete: ${del.status} ${del.text}`);
  const out = await api.post('/api/auth/logout', { body: { refresh_token: loggedOut.refreshToken } });
  if (out.status !== 204) throw new Error(`logout: ${out.status} ${out.text}`);

  const aDeviceToken = `fcm-token-of-a-${a.id}`;
  const device = await api.post('/api/devices', { token: a.accessToken, body: { platform: 'fcm', token: aDeviceToken } });
  if (device.status !== 201) throw new Error(`device: ${device.status} ${device.text}`);

  const fSessionId = sessionIdOf(f.accessToken);
  const aSessionId = sessionIdOf(a.accessToken);
  const secret = t.config.jwtSecret;
  const sign = (payload: Record<string, unknown>, key = secret, expiresIn = 600_000) =>
    createSigner({ key, algorithm: 'HS256', expiresIn })(payload);
  const [header, body, signature] = f.accessToken.split('.') as [string, string, string];
  const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
  const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const expired = createSigner({ key: secret, algorithm: 'HS256', clockTimestamp: Date.now() - 3_600_000, expiresIn: 60_000 })({
    sub: String(f.id),
    sid: fSessionId,
  });
  const badTokens = [
    `${header}.${body}.${flipped}`,
    `${noneHeader}.${body}.`,
    `${header}.${Buffer.from(JSON.stringify({ sub: String(a.id), sid: aSessionId, exp: 9_999_999_999 })).toString('base64url')}.${signature}`,
    expired,
    sign({ sub: String(f.id), sid: fSessionId }, 'another-secret-that-is-long-enough-0123456789'),
    sign({ sub: String(f.id), sid: aSessionId }),
    sign({ sub: String(a.id), sid: fSessionId }),
    sign({ sub: String(gone.id), sid: sessionIdOf(gone.accessToken) }),
    sign({ sub: 'abc', sid: fSessionId }),
    sign({ sub: "1 OR 1=1", sid: fSessionId }),
    sign({ sub: String(f.id), sid: String(fSessionId) }),
    sign({ sub: String(f.id) }),
    sign({ sub: String(f.id), sid: { $gt: 0 } }),
    sign({ sub: String(f.id), sid: 2 ** 31 }),
    loggedOut.accessToken,
    f.refreshToken,
    'null',
    "' OR 1=1 --",
    'a.b.c',
    '..',
  ];
  return {
    api,
    f,
    p,
    q,
    r,
    a,
    b,
    d,
    d2,
    z,
    fSessionId,
    aSessionId,
    deletedUserId: gone.id,
    chatFP: fp.chatId,
    matchFP: fp.matchId,
    chatAB: ab.chatId,
    matchAB: ab.matchId,
    matchAD: ad.matchId,
    chatAD: ad.chatId,
    matchRF,
    matchFQ,
    matchAD2,
    reportAB: filed.body.report_id as number,
    messagesFP,
    messagesAB,
    deviceA: device.body.device_id,
    secretsAB: [aDeviceToken, a.email, b.email, ...secretMessages, a.refreshToken, b.refreshToken, a.accessToken, b.accessToken, '1991-07-04', '1993-11-23'],
    badTokens,
  };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createFcmFake, type FcmFake } from '../helpers/push-fakes/fcm.js';
import { callApi } from './device-api.js';
import { login, PASSWORD } from './world.js';

/**
 * Pushes under the same faults as the chat: people outside the chat world (so no other push is
 * due to them) send chat requests through both API processes while one is SIGKILLed and
 * PostgreSQL and Redis restart; each receiver has two phones on FCM (a local fake over TLS, as
 * production requires https). Every request that the database holds must reach every device of
 * its receiver exactly once — the outbox row is in the request's transaction, the relay and the
 * pg-boss workers of whichever process survives deliver it, and the (notification, device) record
 * keeps a retried job from sending twice.
 */
export interface PushPeople {
  requesters: number[];
  receivers: number[];
  emails: Map<number, string>;
}

export const PUSH_RECEIVER_DEVICES = 2;

export async function startFcm(temp: string): Promise<{ fcm: FcmFake; env: Record<string, string> }> {
  const fcm = await createFcmFake({ tls: true });
  const caFile = join(temp, 'fcm-ca.pem');
  writeFileSync(caFile, fcm.ca ?? '');
  return {
    fcm,
    env: { FCM_SERVICE_ACCOUNT_JSON: fcm.serviceAccountJson, FCM_ENDPOINT: fcm.endpoint, NODE_EXTRA_CA_CERTS: caFile },
  };
}

/** `pairs` requesters (men) and as many receivers (women), registered through the API. */
export async function addPushPeople(base: string, pairs: number): Promise<PushPeople> {
  const people = { requesters: [] as number[], receivers: [] as number[], emails: new Map<number, string>() };
  for (let i = 0; i < pairs * 2; i++) {
    const female = i % 2 === 1;
    const email = `chaos-push-${i}@example.com`;
    const res = await fetch(`${base}/api/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, name: `알림${i}`, birth_date: `1995-03-${String(1 + (i % 28)).padStart(2, '0')}`, gender: female ? 'female' : 'male' }),
      signal: AbortSignal.timeout(20_000),
    });
    if (res.status !== 201) throw new Error(`registering ${email}: ${res.status} ${await res.text()}`);
    const id = ((await res.json()) as { user_id: number }).user_id;
    people.emails.set(id, email);
    (female ? people.receivers : people.requesters).push(id);
  }
  return people;
}

/** Each receiver logs in twice (two phones, one per server) and registers an FCM token on each. */
export async function registerPhones(urls: string[], people: PushPeople): Promise<void> {
  for (const receiver of people.receivers) {
    for (let phone = 0; phone < PUSH_RECEIVER_DEVICES; phone++) {
      const base = urls[phone % urls.length]!;
      const token = await login(base, people.emails.get(receiver)!);
      const res = await callApi(base, token, 'POST', '/api/devices', { platform: 'fcm', token: `chaos-fcm-${receiver}-${phone}` }, 20_000);
      if (res?.status !== 201) throw new Error(`device registration for ${receiver}: ${res?.status} ${res?.text}`);
    }
  }
}

/**
 * Sends every requester's request to every receiver, spread over `seconds`, alternating servers.
 * A request that gets no answer (a server killed, PostgreSQL restarting) is retried once on the
 * other server; whatever the database holds at the end is the truth the check uses.
 */
export async function sendRequests(urls: string[], people: PushPeople, seconds: number): Promise<{ sent: number; answered: number }> {
  const tokens = new Map<number, string>();
  for (const r of people.requesters) tokens.set(r, await login(urls[0]!, people.emails.get(r)!));
  const all: [number, number][] = [];
  for (const r of people.requesters) for (const c of people.receivers) all.push([r, c]);
  const gap = (seconds * 1000) / all.length;
  let answered = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < all.length; i++) {
    const [requester, receiver] = all[i]!;
    inFlight.push(
      (async () => {
        for (let attempt = 0; attempt < 2; attempt++) {
          const base = urls[(i + attempt) % urls.length]!;
          const res = await callApi(base, tokens.get(requester)!, 'POST', '/api/matches/request', { receiver_id: receiver }, 8000);
          if (res !== null && res.status < 500) {
            answered++;
            return;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      })(),
    );
    await new Promise((r) => setTimeout(r, gap));
  }
  await Promise.all(inFlight);
  return { sent: all.length, answered };
}

export interface PushCheck {
  lines: string[];
  failures: string[];
}

/** Waits (up to `timeoutMs`) until every stored request reached each of its receiver's phones. */
export async function checkPushes(url: string, people: PushPeople, fcm: FcmFake, timeoutMs: number): Promise<PushCheck> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query<{ id: number; receiver_id: number }>(
    'SELECT id, receiver_id FROM matches WHERE requester_id = ANY($1::int[]) ORDER BY id',
    [people.requesters],
  );
  await db.end();
  const expected = new Set<string>();
  for (const m of rows) for (let phone = 0; phone < PUSH_RECEIVER_DEVICES; phone++) expected.add(`${m.id}|chaos-fcm-${m.receiver_id}-${phone}`);
  const key = (m: FcmFake['messages'][number]) => `${String(m.message.data?.match_id)}|${m.token}`;
  const started = Date.now();
  const missing = () => [...expected].filter((k) => !fcm.messages.some((m) => key(m) === k));
  while (missing().length > 0 && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 500));
  // A little longer, so a late duplicate has its chance to show.
  await new Promise((r) => setTimeout(r, 3000));
  const counts = new Map<string, number>();
  for (const m of fcm.messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  const lost = missing().length;
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  const unexpected = [...counts.keys()].filter((k) => !expected.has(k)).length;
  const wrongType = fcm.messages.filter((m) => m.message.data?.type !== 'match_requested').length;
  const lines = [
    `pushes: ${rows.length} requests stored × ${PUSH_RECEIVER_DEVICES} phones = ${expected.size} expected; received ${fcm.messages.length} in ${((Date.now() - started) / 1000).toFixed(0)} s; lost ${lost}; duplicates ${duplicates}; unexpected ${unexpected}; wrong type ${wrongType}; protocol violations ${fcm.violations.length}`,
  ];
  const failures: string[] = [];
  if (rows.length === 0) failures.push('no chat request was stored: the push check checked nothing');
  if (lost > 0) failures.push(`${lost} pushes lost`);
  if (duplicates > 0) failures.push(`${duplicates} pushes sent twice`);
  if (unexpected > 0 || wrongType > 0) failures.push(`${unexpected + wrongType} unexpected pushes`);
  if (fcm.violations.length > 0) failures.push(`FCM protocol violations: ${fcm.violations.slice(0, 3).join('; ')}`);
  return { lines, failures };
}

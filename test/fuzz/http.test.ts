import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { answerProblems, type Answer } from './lib/checks.js';
import { changedTables, snapshotter, tablesOf, type Snapshot } from './lib/db-snapshot.js';
import { fetchOpenApi, operationsOf, type Operation } from './lib/openapi.js';
import { httpSender, sendRawBytes } from './lib/raw-http.js';
import { describe as describeRequest, probeRequest, refusedRequest, type Planned, type Targets } from './lib/requests.js';
import { buildWorld, FUZZER_EMAIL, type World } from './lib/world.js';

/**
 * Property-based HTTP fuzzer driven by the OpenAPI document of the real app.
 *
 * 1. Refused requests (90 %): each breaks a rule the server checks before any handler runs; the
 *    status must be exactly the one the contract gives (401, 400, 404, 413, 415), the database must
 *    be unchanged after every batch.
 * 2. Probes (10 %): valid shapes full of injection strings and odd unicode, real ids of the
 *    caller's and other people's rows; any outcome below 500, and every refused probe must leave
 *    the database as it was (probes go one at a time, a snapshot after each).
 * 3. Raw HTTP that no client library would send (broken framing, oversized headers …).
 *
 * Every answer: no 5xx, an X-Request-Id, error bodies exactly `{ error, details? }` JSON, no stack
 * trace, SQL, file path or internal name anywhere (after removing what the request itself sent).
 *
 * FUZZ_REQUESTS (default 10000) sets the number of generated requests, FUZZ_SEED replays a run.
 */
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const REFUSED_BATCH = 40;
const refusedRuns = Math.ceil((TOTAL * 0.9) / REFUSED_BATCH);
const probeRuns = Math.ceil(TOTAL * 0.1);

let t: TestApp;
let world: World;
let ops: Operation[];
let snapshot: () => Promise<Snapshot>;
let sender: ReturnType<typeof httpSender>;
let targets: Targets;
const documented = new Map<string, Set<string>>();
const perOperation = new Map<string, number>();
const problems = new Map<string, string>();
const stats = { refused: 0, accepted: 0, refusedVerified: 0, acceptedWrites: 0, statuses: new Map<number, number>() };

function record(p: Planned, answer: Answer): void {
  const key = p.op?.key ?? 'unknown route';
  perOperation.set(key, (perOperation.get(key) ?? 0) + 1);
  stats.statuses.set(answer.status, (stats.statuses.get(answer.status) ?? 0) + 1);
  if (answer.status >= 400) stats.refused += 1;
  else stats.accepted += 1;
  for (const problem of answerProblems(answer, p.sent, p.allowed)) {
    const id = `${p.label.replace(/\s\S*$/, '')} · ${problem.replace(/\d+/g, 'N')}`;
    if (!problems.has(id)) problems.set(id, `${problem}\n    request: ${describeRequest(p)}\n    answer: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
}

async function send(p: Planned): Promise<Answer> {
  try {
    return await sender.send(p.req);
  } catch (error) {
    // The server must answer, even 413 to a body it stops reading; a dropped connection is a defect.
    return { status: 599, headers: {}, text: `no answer: ${(error as Error).message}` };
  }
}

function withBody(head: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${body.length}\r\n\r\n`), body]);
}

function report(): string {
  const kinds = [...problems.keys()].map((k) => k.slice(0, 160)).sort();
  return `${kinds.slice(0, 80).join('\n')}\n\n${[...problems.values()].slice(0, 30).join('\n\n')}`;
}

before(async () => {
  t = await startTestApp({
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000000',
    PROFILE_VIEWS_PER_HOUR: '1000000',
    MATCH_REQUESTS_PER_DAY: '1000',
    // F moderates, so that the admin routes validate (and are fuzzed) instead of answering 404.
    MODERATOR_EMAILS: FUZZER_EMAIL,
  });
  world = await buildWorld(t);
  const doc = await fetchOpenApi(t.baseUrl);
  ops = operationsOf(doc);
  for (const op of ops) {
    if (!documented.has(op.path)) documented.set(op.path, new Set());
    documented.get(op.path)!.add(op.method);
  }
  snapshot = snapshotter(t.database.db, await tablesOf(t.database.db));
  sender = httpSender(t.baseUrl, REFUSED_BATCH);
  targets = {
    token: world.f.accessToken,
    badTokens: world.badTokens,
    ids: [
      world.f.id,
      world.p.id,
      world.a.id,
      world.b.id,
      world.z.id,
      world.deletedUserId,
      world.chatFP,
      world.chatAB,
      world.matchFP,
      world.matchAB,
      world.matchRF,
      world.matchFQ,
      world.matchAD,
      world.reportAB,
      world.fSessionId,
      world.aSessionId,
      ...world.messagesAB,
      ...world.messagesFP,
    ],
  };
  console.log(`# HTTP fuzz: FUZZ_REQUESTS=${TOTAL} FUZZ_SEED=${SEED}, ${ops.length} operations`);
});

after(async () => {
  sender?.close();
  await t?.close();
});

describe('HTTP fuzzer driven by the OpenAPI document', () => {
  it('reads every documented operation from /openapi.json', () => {
    assert.ok(ops.length >= 20, `only ${ops.length} operations`);
    assert.ok(ops.some((op) => op.secured) && ops.some((op) => op.body) && ops.some((op) => op.pathParams.length > 0));
  });

  it('refuses malformed requests with the contract status, and they change nothing in the database', async () => {
    problems.clear();
    await fc.assert(
      fc.asyncProperty(fc.array(refusedRequest(ops, targets, documented), { minLength: REFUSED_BATCH, maxLength: REFUSED_BATCH }), async (batch) => {
        const before = await snapshot();
        const answers = await Promise.all(batch.map(send));
        batch.forEach((p, i) => record(p, answers[i]!));
        if (answers.every((a) => a.status >= 400)) {
          const changed = changedTables(before, await snapshot());
          stats.refusedVerified += batch.length;
          if (changed.length > 0) {
            problems.set(`db ${changed.join(',')}`, `refused requests changed ${changed.join(', ')}:\n    ${batch.map(describeRequest).join('\n    ')}`);
          }
        }
        return true;
      }),
      { numRuns: refusedRuns, seed: SEED, endOnFailure: true },
    );
    console.log(`# refused phase: ${refusedRuns * REFUSED_BATCH} requests, statuses ${JSON.stringify(Object.fromEntries(stats.statuses))}`);
    assert.equal(problems.size, 0, `${problems.size} distinct problems:\n${report()}`);
    assert.equal(stats.accepted, 0, 'a malformed request was accepted');
  });

  it('probes with hostile values in valid shapes: no 5xx, no leaks, refused probes change nothing', async () => {
    problems.clear();
    const acceptedBefore = stats.accepted;
    // One at a time, a snapshot after each: a refused probe must leave it as the previous one was.
    let last = await snapshot();
    await fc.assert(
      fc.asyncProperty(probeRequest(ops, targets), async (p) => {
        const answer = await send(p);
        record(p, answer);
        const now = await snapshot();
        if (answer.status < 400 && changedTables(last, now).length > 0) stats.acceptedWrites += 1;
        if (answer.status >= 400) {
          stats.refusedVerified += 1;
          const changed = changedTables(last, now);
          if (changed.length > 0) {
            problems.set(`db ${p.label} ${changed.join(',')}`, `refused probe changed ${changed.join(', ')}:\n    ${describeRequest(p)}\n    answer: ${answer.status} ${answer.text.slice(0, 200)}`);
          }
        }
        last = now;
        return true;
      }),
      { numRuns: probeRuns, seed: SEED + 1, endOnFailure: true },
    );
    console.log(`# probe phase: ${probeRuns} requests, ${stats.accepted - acceptedBefore} accepted (${stats.acceptedWrites} of them wrote)`);
    assert.equal(problems.size, 0, `${problems.size} distinct problems:\n${report()}`);
    assert.ok(stats.accepted - acceptedBefore > probeRuns / 20, 'hardly any probe got past validation: the probes test little');
    // The snapshots do see writes: accepted probes (reports, profile updates, messages …) changed them.
    assert.ok(stats.acceptedWrites > 0, 'no accepted probe changed the snapshot: the snapshot sees nothing');
  });

  it('answers raw HTTP that no client would send with a JSON error, and stays up', async () => {
    problems.clear();
    const host = 'Host: 127.0.0.1\r\n';
    const cases: Array<[string, string | Buffer]> = [
      ['bad Content-Length', `POST /api/users/login HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`],
      ['negative Content-Length', `POST /api/users/login HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: -5\r\n\r\n{}`],
      ['two Content-Lengths', `POST /api/users/login HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`],
      ['Content-Length and chunked', `POST /api/users/login HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
      ['bad chunk size', `POST /api/users/login HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
      ['short body', `POST /api/users/login HTTP/1.1\r\n${host}Connection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{"email":"a"}`],
      ['oversized header', `GET /healthz HTTP/1.1\r\n${host}X-A: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['oversized URL', `GET /api/users/${'1'.repeat(20_000)} HTTP/1.1\r\n${host}\r\n`],
      ['garbage request line', 'HELLO\r\n\r\n'],
      ['unknown method', `FOO /healthz HTTP/1.1\r\n${host}\r\n`],
      ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
      ['NUL in URL', `GET /api/users/\u0000 HTTP/1.1\r\n${host}\r\n`],
      ['space in URL', `GET /api/users/1 2 HTTP/1.1\r\n${host}\r\n`],
      ['bad header name', `GET /healthz HTTP/1.1\r\n${host}Bad Header: x\r\n\r\n`],
      ['header without colon', `GET /healthz HTTP/1.1\r\n${host}NoColon\r\n\r\n`],
      ['bare LF', `GET /healthz HTTP/1.1\n${host.trim()}\n\n`],
      ['HTTP/0.9', 'GET /healthz\r\n\r\n'],
      ['absolute-form URL', `GET http://evil.example/api/users/me HTTP/1.1\r\n${host}Connection: close\r\n\r\n`],
      ['asterisk-form', `OPTIONS * HTTP/1.1\r\n${host}Connection: close\r\n\r\n`],
      ['raw UTF-8 in URL', Buffer.concat([Buffer.from('GET /api/users/'), Buffer.from('사주'), Buffer.from(` HTTP/1.1\r\n${host}Connection: close\r\n\r\n`)])],
      ['invalid UTF-8 in body', withBody(`POST /api/users/login HTTP/1.1\r\n${host}Connection: close\r\nContent-Type: application/json\r\n`, Buffer.from('{"email":"\xff\xfe@x.com","password":"xxxxxxxxx"}', 'latin1'))],
      ['invalid UTF-8 in a message', withBody(`POST /api/chats/${world.chatFP}/messages HTTP/1.1\r\n${host}Connection: close\r\nAuthorization: Bearer ${world.f.accessToken}\r\nContent-Type: application/json\r\n`, Buffer.from('{"content":"\xc3\x28 \xed\xa0\x80"}', 'latin1'))],
      ['%-encoding in path', `GET /api/users/%zz HTTP/1.1\r\n${host}Connection: close\r\n\r\n`],
      ['long path parameter', `GET /api/users/${'9'.repeat(150)} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`],
      ['Expect: 100-continue', `POST /api/users/login HTTP/1.1\r\n${host}Connection: close\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`],
    ];
    for (const [label, bytes] of cases) {
      const answer = await sendRawBytes(t.baseUrl, bytes);
      if (!answer) {
        problems.set(`raw ${label}`, `raw ${label}: no HTTP answer`);
        continue;
      }
      perOperation.set('raw', (perOperation.get('raw') ?? 0) + 1);
      const wire = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
      for (const problem of answerProblems(answer, [wire.split(' ')[1] ?? '', ...wire.split(/\s+/)], 'any')) {
        problems.set(`raw ${label} ${problem}`, `raw ${label}: ${problem}\n    answer: ${answer.status} ${JSON.stringify(answer.headers)} ${answer.text.slice(0, 200)}`);
      }
    }
    const health = await fetch(`${t.baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(problems.size, 0, `${problems.size} distinct problems:\n${report()}`);
  });

  it('sent requests to every documented operation, and the caller still works', async () => {
    const total = [...perOperation.values()].reduce((a, b) => a + b, 0);
    console.log(`# HTTP fuzz total: ${total} requests; refused ${stats.refused}, accepted ${stats.accepted}; ${stats.refusedVerified} refused requests checked against a database snapshot`);
    assert.ok(total >= TOTAL, `only ${total} requests sent`);
    const starved = ops.filter((op) => (perOperation.get(op.key) ?? 0) < Math.min(20, TOTAL / ops.length / 4)).map((op) => op.key);
    assert.deepEqual(starved, [], 'operations that got (almost) no requests');
    const me = await world.api.get('/api/users/me', { token: world.f.accessToken });
    assert.equal(me.status, 200);
  });
});

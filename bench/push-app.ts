import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFcmFake, type FcmFake } from '../test/helpers/push-fakes/fcm.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freshBenchDatabase } from './lib/bench-db.js';
import { benchAppEnv, randomPort } from './lib/me-fixture.js';
import { startProcess, stopProcess } from './lib/processes.js';
import { benchConfig, logVolume } from './lib/production.js';
import { login, seedDemoPeople } from './lib/recs-fixture.js';
import { fmt, median, percentile } from './lib/stats.js';

/**
 * The app half of `npm run bench -- push` (PostgreSQL; the server pinned to CPU 0, this process
 * and the local FCM on CPU 1), with Android devices on FCM so that the real FCM client runs:
 *
 * 1. Added latency on POST /api/matches/request: requests one at a time, alternating between a
 *    receiver who has a push device (the outbox row is written in the request's transaction and a
 *    worker in the same process sends the push) and one who has none (nothing is queued). Same
 *    server, same run, interleaved, so the machine's noise falls on both alike.
 * 2. Pushes per second of one worker: with the API's own workers off, `burst` requests fill the
 *    outbox, then one `npm run worker` process (pinned to CPU 0) drains it into the local FCM;
 *    the rate is counted from its first push to its last.
 */
export interface AppBenchOptions {
  requests: number;
  burst: number;
}

const REQUESTERS = 200;
const RECEIVERS = 100; // with a device; as many again without

export async function runAppBench(o: AppBenchOptions, args: string[]): Promise<void> {
  // HTTPS as FCM is (production refuses an http FCM_ENDPOINT); the server trusts the fake's
  // self-signed certificate through NODE_EXTRA_CA_CERTS.
  const fcm = await createFcmFake({ projectId: 'saju-bench', tls: true });
  const forget = setInterval(() => {
    fcm.messages.length = 0; // counted, not kept
  }, 1000);
  forget.unref();
  let delivered = 0;
  const stamps: number[] = [];
  const push = fcm.messages.push.bind(fcm.messages);
  fcm.messages.push = (...items) => {
    delivered += items.length;
    stamps.push(performance.now());
    return push(...items);
  };
  try {
    await latency(fcm, o, args, () => delivered);
    delivered = 0;
    stamps.length = 0;
    await workerThroughput(fcm, o, args, () => delivered, stamps);
  } finally {
    clearInterval(forget);
    await fcm.close();
  }
}

function pushEnv(fcm: FcmFake): Record<string, string> {
  const ca = join(mkdtempSync(join(tmpdir(), 'push-bench-ca-')), 'fake-ca.pem');
  writeFileSync(ca, fcm.ca!);
  return {
    FCM_SERVICE_ACCOUNT_JSON: fcm.serviceAccountJson,
    FCM_ENDPOINT: fcm.endpoint,
    NODE_EXTRA_CA_CERTS: ca,
    MATCH_REQUESTS_PER_DAY: '10000',
  };
}

/** Demo people with charts (a match request scores the pair): bench{id}@example.com, ids 1…users. */
async function seedPeople(users: number): Promise<string> {
  const url = await freshBenchDatabase('bench_push');
  const database = await openDatabase({ url });
  await migrateToLatest(database.db);
  await seedDemoPeople(database.db, users, 0.15);
  await database.close();
  return url;
}

/** tokens[i] belongs to user id i + 1. */
async function world(port: number, users: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < users; i += 4) tokens.push(...(await Promise.all([1, 2, 3, 4].filter((d) => i + d <= users).map((d) => login(port, i + d)))));
  // Users REQUESTERS … REQUESTERS+RECEIVERS-1 get an Android device; the next RECEIVERS none.
  for (let r = 0; r < RECEIVERS; r += 1) {
    const id = REQUESTERS + r;
    const res = await fetch(`http://127.0.0.1:${port}/api/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[id]}` },
      body: JSON.stringify({ platform: 'fcm', token: `bench-fcm-device-${id}` }),
    });
    if (res.status !== 201) throw new Error(`device registration: ${res.status} ${await res.text()}`);
  }
  return tokens;
}

async function requestMatch(port: number, tokens: string[], from: number, to: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/matches/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[from]}` },
    body: JSON.stringify({ receiver_id: to + 1 }),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 201) throw new Error(`match request ${from}→${to}: ${res.status} ${text}`);
  return ms;
}

/** Waits until `count()` reaches `target`, giving up once it has not moved for `idleMs`. */
async function waitFor(count: () => number, target: number, idleMs: number): Promise<boolean> {
  let last = count();
  let movedAt = Date.now();
  while (count() < target && Date.now() - movedAt < idleMs) {
    await new Promise((r) => setTimeout(r, 20));
    if (count() !== last) [last, movedAt] = [count(), Date.now()];
  }
  return count() >= target;
}

async function latency(fcm: FcmFake, o: AppBenchOptions, args: string[], delivered: () => number): Promise<void> {
  const users = REQUESTERS + 2 * RECEIVERS;
  const url = await seedPeople(users);
  const config = benchConfig(args);
  const port = randomPort();
  const logFile = config.logFile('push-app');
  const app = await startProcess('src/main.ts', { ...benchAppEnv(url, config.env), ...pushEnv(fcm), PORT: String(port) }, {
    cpu: 0,
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    logFile,
  });
  try {
    const tokens = await world(port, users);
    console.log(`\nPOST /api/matches/request, one at a time, alternating receivers with and without an FCM device (${o.requests} each)`);
    console.log(config.describe('workers in the API process (the default)'));
    const on: number[] = [];
    const off: number[] = [];
    for (let k = 0; k < o.requests + 20; k += 1) {
      const from = k % REQUESTERS;
      const slot = Math.floor(k / REQUESTERS);
      const withDevice = await requestMatch(port, tokens, from, REQUESTERS + (slot % RECEIVERS));
      const without = await requestMatch(port, tokens, from, REQUESTERS + RECEIVERS + (slot % RECEIVERS));
      if (k >= 20) {
        // the first 20 pairs warm up the JIT and the pools
        on.push(withDevice);
        off.push(without);
      }
    }
    const all = await waitFor(delivered, o.requests + 20, 30_000);
    if (delivered() === 0) console.log('NO push reached the local FCM: this build does not send pushes yet, so "with a device" measures only the device lookup');
    console.log('| receiver | p50 | p90 | p99 | mean |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [name, values] of [['with a device (push queued and sent)', on], ['without a device (no push)', off]] as const) {
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      console.log(`| ${name} | ${fmt(median(values))} ms | ${fmt(percentile(values, 90))} ms | ${fmt(percentile(values, 99))} ms | ${fmt(mean)} ms |`);
    }
    console.log(
      `added median latency: ${fmt(median(on) - median(off))} ms; pushes received by the local FCM: ${delivered()} of ${o.requests + 20}${all ? '' : ' (NOT all: none for 30 s)'}; violations: ${fcm.violations.length}`,
    );
  } finally {
    await stopProcess(app);
    console.log(logVolume(logFile));
  }
}

/** The worker entry point from package.json's `worker` script (`tsx src/….ts`). */
function workerScript(): string | undefined {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  return /(\S+\.ts)\b/.exec(scripts.worker ?? '')?.[1];
}

async function workerThroughput(fcm: FcmFake, o: AppBenchOptions, args: string[], delivered: () => number, stamps: number[]): Promise<void> {
  const script = workerScript();
  if (!script) {
    console.log('\nno `npm run worker` script in package.json: the one-worker throughput is not measured');
    return;
  }
  const users = REQUESTERS + 2 * RECEIVERS;
  const url = await seedPeople(users);
  const config = benchConfig(args);
  const env = { ...benchAppEnv(url, config.env), ...pushEnv(fcm) };
  const port = randomPort();
  const app = await startProcess('src/main.ts', { ...env, PUSH_WORKERS_IN_PROCESS: 'false', PORT: String(port) }, {
    cpu: 0,
    readyUrl: `http://127.0.0.1:${port}/readyz`,
    logFile: config.logFile('push-app'),
  });
  let worker: ChildProcess | undefined;
  try {
    const tokens = await world(port, users);
    let k = 0;
    const lane = async () => {
      while (k < o.burst) {
        const i = k++;
        await requestMatch(port, tokens, i % REQUESTERS, REQUESTERS + Math.floor(i / REQUESTERS) % RECEIVERS);
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    await new Promise((r) => setTimeout(r, 500));
    if (delivered() > 0) console.log(`(${delivered()} pushes went out before the worker started: the API process still runs workers)`);
    worker = startWorker(script, env, config.logFile('push-worker'));
    const all = await waitFor(delivered, o.burst, 30_000);
    const seconds = stamps.length > 1 ? (stamps.at(-1)! - stamps[0]!) / 1000 : NaN;
    console.log(
      `\none worker (${script}, CPU 0, PUSH_WORKER_CONCURRENCY=${process.env.PUSH_WORKER_CONCURRENCY ?? 'default'}) draining ${o.burst} queued match_requested pushes into the local FCM: ` +
        `${fmt(delivered() / seconds, 0)} pushes/s (first to last push ${fmt(seconds, 1)} s; ${delivered()} received${all ? '' : ', NOT all: none for 30 s'}; violations ${fcm.violations.length})`,
    );
  } finally {
    if (worker) await stopProcess(worker);
    await stopProcess(app);
  }
}

/** The worker process, pinned to CPU 0 beside the (now idle) API process; its log goes to a file. */
function startWorker(script: string, env: Record<string, string>, logFile: string): ChildProcess {
  const node = [process.execPath, '--import', 'tsx', script];
  const cmd = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.pipe(createWriteStream(logFile));
  return child;
}

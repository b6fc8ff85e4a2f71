import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { commandLine } from '../../src/lib/cli.js';
import { ApiServer } from './api-server.js';
import { Cleanups } from './cleanups.js';
import { Device } from './device.js';
import { Ledger } from './ledger.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { verify, type ChatListEntry, type StoredRow } from './verify.js';
import { TEST_VAPID } from '../helpers/vapid.js';
import { buildWorld, login, type World } from './world.js';
import { addPushPeople, checkPushes, registerPhones, sendRequests, startFcm, type PushPeople } from './pushes.js';
import type { FcmFake } from '../helpers/push-fakes/fcm.js';

/**
 * `npm run test:chaos [-- --messages 10000 --users 120 --rate 220 --timeout 270]`
 *
 * Two real API processes on a private PostgreSQL and a private Redis; simulated phones in many
 * chats send messages (retrying with the same client_msg_id), drop and regain their connections
 * and catch up with `after=`. Meanwhile one API process is SIGKILLed and restarted, PostgreSQL is
 * restarted and Redis is restarted. Then: every acknowledged message must be stored exactly once,
 * every device must hold every message of its chats exactly once in id order, and unread counts
 * must match the model. Alongside, people outside the chats send chat requests to people with two
 * FCM phones each (test/chaos/pushes.ts): every stored request must reach each phone exactly once.
 * Prints the counts; exits 1 on any loss, duplicate, disorder or crash.
 */
const { values: options } = commandLine({
  command: 'npm run test:chaos --',
  options: {
    messages: { type: 'integer', default: 10_000, min: 1, help: 'messages the phones send in all' },
    users: { type: 'integer', default: 120, min: 2, help: 'simulated people (a sixth of them with a second phone)' },
    'push-pairs': { type: 'integer', default: 12, min: 1, help: 'requesters and receivers (two FCM phones each) for the push check' },
    rate: { type: 'number', default: 220, min: 1, help: 'messages per second, all phones together' },
    timeout: { type: 'number', default: 480, min: 1, help: 'seconds before the run counts as failed' },
  },
});
const TARGET = options.messages;
const USERS = options.users;
const RATE = options.rate;
const TIMEOUT_S = options.timeout;
/** Users with a second phone (its own login, on the other server). */
const SECOND_DEVICES = Math.floor(USERS / 6);
const ACK_TIMEOUT_MS = 4000;
const SECRET = 'chaos-test-secret-0123456789-0123456789-0123456789';

const startedAt = Date.now();
const cleanups = new Cleanups();
const clock = () => `+${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
const say = (text: string) => console.log(`[chaos ${clock()}] ${text}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Runs `f` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

interface Stack {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  servers: ApiServer[];
  world: World;
  fcm: FcmFake;
  pushPeople: PushPeople;
}

async function startStack(): Promise<Stack> {
  const temp = mkdtempSync(join(tmpdir(), 'saju-chaos-'));
  cleanups.add('temp dir', () => {
    if (process.env.CHAOS_KEEP_TEMP) console.log(`kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  });
  const [pgPort, redisPort, ...apiPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const [postgres, redis] = await Promise.all([startPrivatePostgres(temp, pgPort!, cleanups), startPrivateRedis(temp, redisPort!, cleanups)]);
  say(`private PostgreSQL on ${pgPort}, private Redis on ${redisPort}`);
  const world = await buildWorld(postgres.url, USERS);
  say(`${world.users.length} users, ${world.chats.size} matched chats`);
  const push = await startFcm(temp);
  cleanups.add('local FCM', () => void push.fcm.close());
  const env = {
    ...push.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    JWT_SECRET: SECRET,
    ...TEST_VAPID,
    ACCESS_TOKEN_TTL: '1h',
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '1000000',
    PROFILE_VIEWS_PER_HOUR: '1000000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    WEB_CONCURRENCY: '1', // two separate processes here, each killed and restarted on its own
  };
  const servers = apiPorts.map(
    (port, i) => new ApiServer(i, port, { ...env, DATA_DIR: join(temp, `data-${i}`) }, join(temp, `api-${i}.log`), cleanups, startedAt),
  );
  await Promise.all(servers.map((s) => s.start()));
  say(`API servers ready: ${servers.map((s) => s.url).join(', ')}`);
  const pushPeople = await addPushPeople(servers[0]!.url, options['push-pairs']);
  await registerPhones(servers.map((s) => s.url), pushPeople);
  say(`${pushPeople.requesters.length} requesters, ${pushPeople.receivers.length} receivers with two FCM phones each`);
  return { postgres, redis, servers, world, fcm: push.fcm, pushPeople };
}

async function startDevices({ servers, world }: Stack, ledger: Ledger): Promise<Device[]> {
  const urls = servers.map((s) => s.url);
  const chatsOf = new Map<number, Map<number, number>>();
  for (const [chatId, [a, b]] of world.chats) {
    for (const [me, partner] of [[a, b], [b, a]] as const) {
      if (!chatsOf.has(me)) chatsOf.set(me, new Map());
      chatsOf.get(me)!.set(chatId, partner);
    }
  }
  const specs = world.users.map((u, i) => ({ user: u, home: i % 2 }));
  specs.push(...world.users.slice(0, SECOND_DEVICES).map((u, i) => ({ user: u, home: (i + 1) % 2 })));
  const devices: Device[] = [];
  await pool(specs, 8, async ({ user, home }) => {
    const token = await login(urls[home]!, user.email);
    devices.push(new Device(user.id, token, chatsOf.get(user.id)!, urls, home, ledger, { ackTimeoutMs: ACK_TIMEOUT_MS }));
  });
  for (const d of devices) d.start();
  await until(() => devices.every((d) => d.live), 60_000, 'devices connected');
  say(`${devices.length} devices connected (${SECOND_DEVICES} users on two phones)`);
  return devices;
}

/** The faults, one after another, while the traffic runs. Returns what happened when. */
async function faults(stack: Stack, sent: () => number): Promise<string[]> {
  const log: string[] = [];
  const note = (text: string) => {
    const line = `${clock()} ${text} (messages created so far: ${sent()})`;
    log.push(line);
    say(line);
  };
  await sleep(6000);
  note('SIGKILL api server 1');
  await stack.servers[1]!.kill();
  await sleep(1000);
  await stack.servers[1]!.start(120_000); // tsx compiles on start: slow on a loaded machine
  note('api server 1 restarted and ready');
  await sleep(6000);
  note('PostgreSQL restart (pg_ctl restart -m fast)');
  await stack.postgres.restart();
  note('PostgreSQL back');
  await sleep(6000);
  note('Redis killed (down 1 s)');
  await stack.redis.restart(1000);
  note('Redis back');
  await sleep(4000);
  return log;
}

/** Creates messages at RATE per second on random devices and chats, with read marks and
 * connection blips mixed in, until TARGET messages exist and the faults are over. */
async function traffic(devices: Device[], ledger: Ledger, faultsDone: () => boolean): Promise<void> {
  const begin = Date.now();
  let reads = 0;
  let blips = 0;
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
  while (ledger.messages.size < TARGET || !faultsDone()) {
    const elapsed = (Date.now() - begin) / 1000;
    while (ledger.messages.size < RATE * elapsed) {
      const device = pick(devices);
      const chatId = pick([...device.chats.keys()]);
      device.send(ledger.create(chatId, device.userId), Math.random() < 0.1 ? 'rest' : 'socket');
    }
    while (reads < 15 * elapsed) {
      reads++;
      const device = pick(devices);
      device.markRead(pick([...device.chats.keys()]));
    }
    while (blips < 2 * elapsed) {
      blips++;
      pick(devices).blip();
    }
    await sleep(20);
  }
}

async function readBack(stack: Stack, devices: Device[]): Promise<{ rows: StoredRow[]; lists: Map<number, ChatListEntry[]> }> {
  const db = new pg.Client({ connectionString: stack.postgres.url });
  await db.connect();
  const rows = (await db.query<StoredRow>('SELECT id, chat_id, sender_id, content, client_msg_id FROM messages ORDER BY id')).rows;
  await db.end();
  const lists = new Map<number, ChatListEntry[]>();
  const firstDevice = new Map<number, Device>();
  for (const d of devices) if (!firstDevice.has(d.userId)) firstDevice.set(d.userId, d);
  await pool([...firstDevice.values()], 8, async (d) => {
    lists.set(d.userId, await d.chatList());
  });
  return { rows, lists };
}

async function main(): Promise<number> {
  say(`target ${TARGET} messages at ${RATE}/s, ${USERS} users, global timeout ${TIMEOUT_S}s`);
  const stack = await startStack();
  const ledger = new Ledger(startedAt);
  const devices = await startDevices(stack, ledger);
  cleanups.add('devices', () => devices.forEach((d) => d.stop()));

  let faultLog: string[] = [];
  let faultsOver = false;
  const faultRun = faults(stack, () => ledger.messages.size)
    .then((log) => (faultLog = log))
    .finally(() => (faultsOver = true));
  // The chat requests run through the faults too (spread over about as long as the faults take).
  const requests = sendRequests(stack.servers.map((s) => s.url), stack.pushPeople, 30);
  await traffic(devices, ledger, () => faultsOver);
  await faultRun;
  const requested = await requests;
  say(`chat requests: ${requested.sent} sent, ${requested.answered} answered`); // a fault that could not be injected or recovered from fails the run here
  say(`traffic over: ${ledger.messages.size} messages created; waiting for every send and read mark to be confirmed`);

  // Not fatal by itself: whatever stays unacknowledged is counted and fails the run below.
  await until(() => devices.every((d) => d.live && d.pending === 0), 60_000, 'all sends acknowledged').catch((e: Error) => say(e.message));
  await sleep(1500); // the last fan-outs land
  await pool(devices, 16, (d) => d.resync());
  say('final catch-up done; checking');

  const { rows, lists } = await readBack(stack, devices);
  const report = verify(ledger, rows, devices, lists, stack.world.chats, TARGET);
  // A job whose worker was killed waits for pg-boss's expiry (2 min) before another worker retries it.
  say('waiting for the pushes');
  const pushes = await checkPushes(stack.postgres.url, stack.pushPeople, stack.fcm, 200_000);
  report.lines.push(...pushes.lines);
  report.failures.push(...pushes.failures);
  const crashes = stack.servers.flatMap((s) => s.unexpectedExits);
  for (const e of faultLog) console.log(`event   ${e}`);
  for (const line of report.lines) console.log(`result  ${line}`);
  console.log(`result  api server crashes: ${crashes.length}${crashes.map((c) => ` [server ${c.server} at +${(c.at / 1000).toFixed(1)}s: code ${c.code} signal ${c.signal}]`).join('')}`);
  if (crashes.length > 0) report.failures.push(`${crashes.length} api server crashes`);
  devices.forEach((d) => d.stop());
  await Promise.all(stack.servers.map((s) => s.stop()));
  if (report.failures.length > 0) {
    for (const s of stack.servers) console.log(`--- api server ${s.index} log (tail)\n${s.logTail(40)}`);
    console.log(`FAIL: ${report.failures.join('; ')}`);
    return 1;
  }
  console.log(`PASS in ${((Date.now() - startedAt) / 1000).toFixed(0)}s`);
  return 0;
}

// Never hang: past the deadline everything is killed and the run fails.
const deadline = setTimeout(() => {
  console.error(`FAIL: global timeout of ${TIMEOUT_S}s`);
  cleanups.runAll();
  process.exit(1);
}, TIMEOUT_S * 1000);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanups.runAll();
    process.exit(130);
  });
}
process.on('exit', () => cleanups.runAll());

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error('FAIL:', error instanceof Error ? error.stack : error);
} finally {
  clearTimeout(deadline);
  cleanups.runAll();
}
process.exit(code);

import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { AccessTokens } from '../src/auth/tokens.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freshBenchDatabase } from './lib/bench-db.js';
import { closeMembers, connectMembers, saturate, steady, type LoadResult } from './lib/chat-load.js';
import { pinSelf, startProcess, stopProcess } from './lib/processes.js';
import { arg, fmt, median } from './lib/stats.js';

/**
 * `npm run bench -- chat [--clients 1000] [--seconds 5] [--rounds 3] [--rate 1000] [--idle 10000] [--window 1]`
 *
 * 1. Throughput: `clients` sockets in clients/2 chats, every socket keeping `window` sendMessage
 *    in flight; the app (persisted, one process, PostgreSQL) and bare Socket.IO (ack + broadcast
 *    to both members' rooms, no database) in interleaved rounds. Counted: newMessage deliveries to
 *    the partner per second, and their latency from the send.
 * 2. Latency at a steady `rate` msg/s (open loop) on the app, then on bare Socket.IO.
 * 3. Memory of `idle` idle authenticated sockets on a fresh app process (RSS and heap growth).
 * Servers run pinned to CPU 0, this load generator to CPU 1 (PostgreSQL floats).
 */
export async function run(args: string[]): Promise<void> {
  const clients = arg(args, 'clients', 1000);
  const seconds = arg(args, 'seconds', 5);
  const rounds = arg(args, 'rounds', 3);
  const rate = arg(args, 'rate', 1000);
  const idle = arg(args, 'idle', 10_000);
  const window = arg(args, 'window', 1);
  const secret = 'bench-secret-0123456789-0123456789-0123456789';

  const url = await freshBenchDatabase('bench_chat');
  const userCount = Math.max(clients, idle);
  await seed(url, userCount, clients / 2);
  const tokens = new AccessTokens(secret, 24 * 3600);
  // Users 1..N, sessions 1..N, chat c between users 2c-1 and 2c (the bare server's numbering too).
  const specs = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ userId: i + 1, chatId: Math.floor(i / 2) + 1 }));
  const appSpecs = specs(clients).map((s) => ({ ...s, auth: { token: tokens.issue(s.userId, s.userId) } }));
  const bareSpecs = specs(clients).map((s) => ({ ...s, auth: { userId: s.userId } }));

  const env = { DATABASE_URL: url, JWT_SECRET: secret, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  const app = await startProcess('bench/chat-server.ts', { ...env, PORT: '3201' }, { cpu: 0 });
  const bare = await startProcess('bench/chat-bare-server.ts', { PORT: '3202' }, { cpu: 0 });
  await pinSelf(1);
  try {
    const appMembers = await connectMembers('http://127.0.0.1:3201', appSpecs);
    const bareMembers = await connectMembers('http://127.0.0.1:3202', bareSpecs);
    console.log(`${clients} clients in ${clients / 2} chats, window ${window}, ${seconds}s × ${rounds} interleaved rounds`);
    await saturate(appMembers, 1, window); // warm-up
    await saturate(bareMembers, 1, window);
    const appRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    for (let r = 1; r <= rounds; r++) {
      const a = await saturate(appMembers, seconds, window);
      const b = await saturate(bareMembers, seconds, window);
      appRuns.push(a);
      bareRuns.push(b);
      console.log(`round ${r}: app ${line(a)} | bare ${line(b)} | ratio ${fmt(a.rate / b.rate)}`);
    }
    const ratio = median(appRuns.map((a, i) => a.rate / bareRuns[i]!.rate));
    console.log(`median throughput: app ${summary(appRuns)}; bare ${summary(bareRuns)}; app/bare ${fmt(ratio)}`);

    const steadyApp: LoadResult[] = [];
    const steadyBare: LoadResult[] = [];
    for (let r = 1; r <= rounds; r++) {
      steadyApp.push(await steady(appMembers, seconds, rate));
      steadyBare.push(await steady(bareMembers, seconds, rate));
    }
    console.log(`steady ${rate} msg/s: app ${summary(steadyApp)}; bare ${summary(steadyBare)}`);
    closeMembers(appMembers);
    closeMembers(bareMembers);
  } finally {
    await stopProcess(app);
    await stopProcess(bare);
  }
  await idleMemory(env, idle, tokens);
}

const line = (r: LoadResult) => `${fmt(r.rate, 0)} msg/s (p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms)`;
const summary = (rs: LoadResult[]) =>
  `${fmt(median(rs.map((r) => r.rate)), 0)} msg/s p50 ${fmt(median(rs.map((r) => r.p50)))} ms p99 ${fmt(median(rs.map((r) => r.p99)))} ms`;

function rssKb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

async function heapUsed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]);
}

async function idleMemory(env: Record<string, string>, idle: number, tokens: AccessTokens): Promise<void> {
  const app = await startProcess('bench/chat-server.ts', { ...env, PORT: '3203' }, { cpu: 0 });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const before = { rss: rssKb(app), heap: await heapUsed(3203) };
    const specs = Array.from({ length: idle }, (_, i) => ({ userId: i + 1, chatId: 0, auth: { token: tokens.issue(i + 1, i + 1) } }));
    const started = Date.now();
    const members = await connectMembers('http://127.0.0.1:3203', specs, 200);
    const connectSeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    const after = { rss: rssKb(app), heap: await heapUsed(3203) };
    const text = await (await fetch('http://127.0.0.1:3203/metrics')).text();
    const gauge = /^socketio_connected_sockets (\d+)/m.exec(text)?.[1];
    console.log(
      `${idle} idle authenticated sockets (gauge ${gauge}), connected in ${fmt(connectSeconds, 1)} s: ` +
        `RSS ${fmt(before.rss / 1024, 0)} → ${fmt(after.rss / 1024, 0)} MB (${fmt((after.rss - before.rss) / idle, 1)} KB/socket), ` +
        `heap used ${fmt(before.heap / 2 ** 20, 0)} → ${fmt(after.heap / 2 ** 20, 0)} MB (${fmt((after.heap - before.heap) / idle / 1024, 1)} KB/socket)`,
    );
    closeMembers(members);
  } finally {
    await stopProcess(app);
  }
}

async function seed(url: string, users: number, chats: number): Promise<void> {
  const database = await openDatabase({ url });
  const db = database.db;
  await migrateToLatest(db);
  for (let start = 0; start < users; start += 1000) {
    const n = Math.min(1000, users - start);
    await db
      .insertInto('users')
      .values(
        Array.from({ length: n }, (_, k) => ({
          email: `chat-bench-${start + k}@example.com`,
          password_hash: 'not-a-login-bench-user',
          name: `벤치${start + k}`,
          birth_date: '1992-05-05',
          gender: (start + k) % 2 ? ('female' as const) : ('male' as const),
          interested_in: [(start + k) % 2 ? 'male' : 'female'] as ('male' | 'female')[],
        })),
      )
      .execute();
    await db
      .insertInto('auth_sessions')
      .values(Array.from({ length: n }, (_, k) => ({ user_id: start + k + 1 })))
      .execute();
  }
  for (let c = 1; c <= chats; c++) {
    const match = await db
      .insertInto('matches')
      .values({ requester_id: 2 * c - 1, receiver_id: 2 * c, status: 'matched', compatibility_score: 70 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('chats').values({ match_id: match.id }).execute();
  }
  await database.close();
}

import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { AccessTokens } from '../src/auth/tokens.js';
import { freshBenchDatabase } from './lib/bench-db.js';
import { closeMembers, connectMembers, saturate, steady, type LoadResult } from './lib/chat-load.js';
import { backendPids, cpuMs, measureCpu, watchRunQueue } from './lib/cpu.js';
import { commitLatency, type Commits } from './lib/pg-probe.js';
import { seed } from './lib/chat-seed.js';
import { pinSelf, randomPort, startProcess, stopProcess } from './lib/processes.js';
import { commandLine } from '../src/lib/cli.js';
import { BENCH_METRICS_TOKEN, BENCH_REDIS_URL, benchConfig, logVolume } from './lib/production.js';
import { fmt, median } from './lib/stats.js';
import { appDelta, readApp } from './lib/app-metrics.js';

/**
 * `npm run bench -- chat [--clients 1000] [--seconds 5] [--rounds 3] [--rate 1000] [--idle 10000] [--window 1] [--adapters] [--stripped]`
 *
 * The app runs as deployed (bench/lib/production.ts): NODE_ENV=production, logs on at the default
 * level, REDIS_URL set (Redis adapter, shared rate limits). --stripped: without Redis, LOG_LEVEL=warn.
 *
 * 1. Throughput: `clients` sockets in clients/2 chats, every socket keeping `window` sendMessage
 *    in flight; the app (persisted, one process, PostgreSQL) and bare Socket.IO (ack + broadcast
 *    to both members' rooms, no database) in interleaved rounds. Counted: newMessage deliveries to
 *    the partner per second, and their latency from the send.
 * 2. Latency at a steady `rate` msg/s (open loop), app and bare interleaved: before and after the
 *    throughput rounds.
 * 3. The durable floor (bench/chat-durable-server.ts: Socket.IO on the Redis adapter, the messages
 *    stored by batched `pg` INSERTs, the ack after the commit, nothing else), after the app and bare
 *    are done, through the same sequence (warm-up, steady rounds, saturation rounds, steady rounds):
 *    what this layout gives a hand-written server that keeps the app's two costliest promises. On
 *    its own, so that the app's rounds keep the idle gaps between them they had (a third server in
 *    the same interleaving left the app idle 12 s between rounds, and V8's memory reducer shrank
 *    its heap in the gaps).
 * 4. With --adapters: the same on two app processes sharing Redis, per Redis adapter.
 * 5. Memory of `idle` idle authenticated sockets on a fresh app process (RSS and heap growth).
 * Servers run pinned to CPU 0, this load generator to CPU 1 (PostgreSQL floats).
 */
export async function run(args: string[]): Promise<void> {
  const { values: o } = commandLine(
    {
      command: 'npm run bench -- chat',
      options: {
        clients: { type: 'integer', default: 1000, min: 2, help: 'connected clients (half of them send)' },
        seconds: { type: 'number', default: 5, min: 0.1, help: 'seconds per round' },
        rounds: { type: 'integer', default: 3, min: 1, help: 'interleaved rounds' },
        rate: { type: 'integer', default: 1000, min: 1, help: 'messages per second of the steady-rate phase' },
        idle: { type: 'integer', default: 10_000, min: 0, help: 'idle sockets for the memory phase (0: skip it)' },
        window: { type: 'integer', default: 1, min: 1, help: 'messages in flight per sender' },
        adapters: { type: 'boolean', help: 'also two app processes sharing Redis, per Redis adapter' },
        stripped: { type: 'boolean', help: 'for comparison only: LOG_LEVEL=warn and no Redis (not how it is deployed)' },
      },
    },
    args,
  );
  const { clients, seconds, rounds, rate, idle, window } = o;
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

  const config = benchConfig(args);
  // A key of this run's own for the adapter's channels: other runs on the same Redis stay apart.
  const env = { ...config.env, DATABASE_URL: url, JWT_SECRET: secret, BENCH_ADAPTER_KEY: `bench-${process.pid}-${Date.now()}` };
  const [appPort, barePort, durablePort] = [port(), port(), port()];
  const app = await startProcess('bench/chat-server.ts', { ...env, PORT: String(appPort) }, { cpu: 0, logFile: config.logFile('chat-app') });
  // A failed start must not leave the app running, pinned to the servers' core, into the next run.
  const bare = await startProcess('bench/chat-bare-server.ts', { PORT: String(barePort) }, { cpu: 0 }).catch(async (error: unknown) => {
    await stopProcess(app);
    throw error;
  });
  const durable = await startProcess('bench/chat-durable-server.ts', { ...env, PORT: String(durablePort) }, { cpu: 0 }).catch(async (error: unknown) => {
    await Promise.all([stopProcess(app), stopProcess(bare)]);
    throw error;
  });
  await pinSelf(1);
  try {
    const appMembers = await connectMembers(`http://127.0.0.1:${appPort}`, appSpecs);
    const bareMembers = await connectMembers(`http://127.0.0.1:${barePort}`, bareSpecs);
    const durableMembers = await connectMembers(`http://127.0.0.1:${durablePort}`, bareSpecs);
    console.log(
      config.describe(
        'bare: plain Socket.IO, in-memory adapter, no database; durable floor (on its own, after them): Socket.IO on the Redis adapter (if REDIS_URL), batched pg INSERTs, ack after the commit',
      ),
    );
    console.log(`${clients} clients in ${clients / 2} chats, window ${window}, ${seconds}s × ${rounds} interleaved rounds`);
    // Steady latency at `rate`, app and bare interleaved, `rounds` times. Beside each app round: the
    // database's own commit latency just before it (at the same rate) and alongside it (a light
    // probe, 100 commits/s, on its own connection: a stall of PostgreSQL's commits while the app
    // runs shows there), and the app's GC pauses (V8's gc performance entries, via its /metrics).
    const steadyPhase = async (label: string) => {
      const phase = { app: [] as LoadResult[], bare: [] as LoadResult[], db: [] as Commits[], alongside: [] as Commits[], gc: [] as string[] };
      for (let r = 1; r <= rounds; r++) {
        phase.db.push(await commitLatency(url, rate, 2));
        const reading = await readApp(appPort);
        const stopWatch = watchRunQueue(app.pid!);
        const [result, alongside] = await Promise.all([steady(appMembers, seconds, rate), commitLatency(url, 100, seconds, 'bench_commit_alongside')]);
        const queued = stopWatch();
        phase.app.push(result);
        phase.alongside.push(alongside);
        phase.gc.push(
          `${appDelta(reading, await readApp(appPort))}; waited for the CPU ${fmt(queued.totalMs, 1)} ms in all, up to ${fmt(queued.longestMs, 1)} ms at once`,
        );
        phase.bare.push(await steady(bareMembers, seconds, rate));
      }
      console.log(
        `steady ${rate} msg/s, ${label}: app ${summary(phase.app)}; bare ${summary(phase.bare)}; ` +
          `plain PostgreSQL INSERT commits at ${rate}/s p50 ${fmt(median(phase.db.map((d) => d.p50)))} ms p99 ${fmt(median(phase.db.map((d) => d.p99)))} ms`,
      );
      return phase;
    };
    // Warm-up, not counted: as long as a round, like the HTTP bench's, so that V8 has optimised the
    // send path before the steady phase (1 s of it left the first steady phase's p99 a cold process's).
    await saturate(appMembers, seconds, window);
    await saturate(bareMembers, seconds, window);
    // Steady latency first on a warm but rested system, then again after the saturation rounds
    // (whose hundreds of thousands of inserts leave PostgreSQL vacuuming and checkpointing).
    const rested = await steadyPhase('before saturation');
    const appRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    const cpu = { app: [] as number[], db: [] as number[], bare: [] as number[] };
    for (let r = 1; r <= rounds; r++) {
      // CPU time per delivered message holds up on a shared machine where rates swing.
      // The app's backends as they are at each round (a pool closes idle connections and opens new
      // ones; one that started during the round counts from zero).
      const db0 = new Map((await backendPids(url, 'bench_chat')).map((pid) => [pid, cpuMs(pid)]));
      const a = await measureCpu(() => [app.pid!], () => saturate(appMembers, seconds, window));
      const dbMs = (await backendPids(url, 'bench_chat')).reduce((sum, pid) => sum + cpuMs(pid) - (db0.get(pid) ?? 0), 0);
      const b = await measureCpu(() => [bare.pid!], () => saturate(bareMembers, seconds, window));
      appRuns.push(a.result);
      bareRuns.push(b.result);
      cpu.app.push(perMessage(a.ms, a.result, seconds));
      cpu.db.push(perMessage(dbMs, a.result, seconds));
      cpu.bare.push(perMessage(b.ms, b.result, seconds));
      console.log(
        `round ${r}: app ${line(a.result)} | bare ${line(b.result)} | ratio ${fmt(a.result.rate / b.result.rate)} | ` +
          `CPU/msg app ${fmt(cpu.app.at(-1)!, 0)} µs + PostgreSQL ${fmt(cpu.db.at(-1)!, 0)} µs, bare ${fmt(cpu.bare.at(-1)!, 0)} µs`,
      );
    }
    const ratio = median(appRuns.map((a, i) => a.rate / bareRuns[i]!.rate));
    console.log(`median throughput: app ${summary(appRuns)}; bare ${summary(bareRuns)}; app/bare ${fmt(ratio)}`);
    console.log(
      `median CPU per message: app server ${fmt(median(cpu.app), 0)} µs + PostgreSQL ${fmt(median(cpu.db), 0)} µs; ` +
        `bare ${fmt(median(cpu.bare), 0)} µs; server-only ratio bare/app ${fmt(median(cpu.bare) / median(cpu.app))}`,
    );

    const after = await steadyPhase('after saturation');
    for (const [name, phase] of [['before', rested], ['after', after]] as const) {
      console.log(
        `steady p99 per round (ms), ${name} saturation: app ${p99s(phase.app)}; PostgreSQL commits just before ${p99s(phase.db)}, ` +
          `alongside the app p99 ${p99s(phase.alongside)} max ${phase.alongside.map((d) => fmt(d.max)).join(' / ')}; ` +
          `app ${phase.gc.join(' | ')}`,
      );
    }
    closeMembers(appMembers);
    await floorPhase(durableMembers, bareMembers, { url, seconds, rounds, rate, window, pid: durable.pid! });
    closeMembers(bareMembers);
    closeMembers(durableMembers);
  } finally {
    await stopProcess(app);
    await stopProcess(bare);
    await stopProcess(durable);
  }
  console.log(`app server: ${logVolume(config.logFile('chat-app'))}; ${config.describe()}`);
  if (o.adapters) {
    for (const adapter of ['pubsub', 'streams']) await twoProcesses({ ...env, BENCH_ADAPTER: adapter }, appSpecs, seconds, rounds, rate, window);
  }
  if (idle > 0) await idleMemory(env, idle, tokens);
}

const port = randomPort;

/**
 * The durable floor on its own: warm-up, steady rounds, saturation rounds, steady rounds. Its steady
 * rounds are spaced as the app's are (the commit probe just before, a bare round after), so that it
 * idles between them as long as the app did.
 */
async function floorPhase(
  members: Awaited<ReturnType<typeof connectMembers>>,
  bareMembers: Awaited<ReturnType<typeof connectMembers>>,
  o: { url: string; seconds: number; rounds: number; rate: number; window: number; pid: number },
): Promise<void> {
  await saturate(members, o.seconds, o.window);
  const steadyRounds = async () => {
    const results: LoadResult[] = [];
    for (let r = 0; r < o.rounds; r++) {
      await commitLatency(o.url, o.rate, 2);
      results.push(await steady(members, o.seconds, o.rate));
      await steady(bareMembers, o.seconds, o.rate);
    }
    return results;
  };
  const before = await steadyRounds();
  const loads: { result: LoadResult; ms: number }[] = [];
  for (let r = 0; r < o.rounds; r++) loads.push(await measureCpu(() => [o.pid], () => saturate(members, o.seconds, o.window)));
  const after = await steadyRounds();
  const cpu = loads.map(({ result, ms }) => perMessage(ms, result, o.seconds));
  console.log(
    `durable floor: steady ${o.rate} msg/s p99 per round (ms) before saturation ${p99s(before)}, after ${p99s(after)}; ` +
      `saturation ${summary(loads.map((l) => l.result))}, server CPU per message ${fmt(median(cpu), 0)} µs (PostgreSQL not counted)`,
  );
}

/** Two app processes sharing Redis (and both pinned to CPU 0): chat c's members sit on different
 * nodes, so every message crosses the adapter. */
async function twoProcesses(
  env: Record<string, string>,
  specs: { userId: number; chatId: number; auth: Record<string, unknown> }[],
  seconds: number,
  rounds: number,
  rate: number,
  window: number,
): Promise<void> {
  const redisEnv = { ...env, REDIS_URL: BENCH_REDIS_URL, BENCH_ADAPTER_KEY: `bench-${Date.now()}` };
  const ports = [port(), port()];
  const nodes = await Promise.all(ports.map((p) => startProcess('bench/chat-server.ts', { ...redisEnv, PORT: String(p) }, { cpu: 0 })));
  try {
    const members = [
      ...(await connectMembers(`http://127.0.0.1:${ports[0]}`, specs.filter((s) => s.userId % 2 === 1))),
      ...(await connectMembers(`http://127.0.0.1:${ports[1]}`, specs.filter((s) => s.userId % 2 === 0))),
    ];
    await saturate(members, 1, window);
    const loads: LoadResult[] = [];
    const steadies: LoadResult[] = [];
    for (let r = 0; r < rounds; r++) {
      loads.push(await saturate(members, seconds, window));
      steadies.push(await steady(members, seconds, rate));
    }
    console.log(`two processes, ${env.BENCH_ADAPTER} adapter: throughput ${summary(loads)}; steady ${rate} msg/s ${summary(steadies)}`);
    closeMembers(members);
  } finally {
    await Promise.all(nodes.map(stopProcess));
  }
}

/** CPU µs per delivered message (the drain after the window included, when counted). */
const perMessage = (ms: number, r: LoadResult, seconds: number) => (ms * 1000) / (r.delivered ?? r.rate * seconds);
const p99s = (rs: { p99: number }[]) => rs.map((r) => fmt(r.p99)).join(' / ');
const line = (r: LoadResult) => `${fmt(r.rate, 0)} msg/s (p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms)`;
const summary = (rs: LoadResult[]) =>
  `${fmt(median(rs.map((r) => r.rate)), 0)} msg/s p50 ${fmt(median(rs.map((r) => r.p50)))} ms p99 ${fmt(median(rs.map((r) => r.p99)))} ms`;

function rssKb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

async function heapUsed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]);
}

async function idleMemory(env: Record<string, string>, idle: number, tokens: AccessTokens): Promise<void> {
  const memPort = port();
  const app = await startProcess('bench/chat-server.ts', { ...env, PORT: String(memPort) }, { cpu: 0 });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const before = { rss: rssKb(app), heap: await heapUsed(memPort) };
    const specs = Array.from({ length: idle }, (_, i) => ({ userId: i + 1, chatId: 0, auth: { token: tokens.issue(i + 1, i + 1) } }));
    const started = Date.now();
    const members = await connectMembers(`http://127.0.0.1:${memPort}`, specs, 200);
    const connectSeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    const after = { rss: rssKb(app), heap: await heapUsed(memPort) };
    const text = await (await fetch(`http://127.0.0.1:${memPort}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
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

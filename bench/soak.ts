import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { freshBenchDatabase } from './lib/bench-db.js';
import { backendPids, cpuMs } from './lib/cpu.js';
import { pinSelf, randomPort, startProcess, stopProcess } from './lib/processes.js';
import { benchConfig, logVolume } from './lib/production.js';
import { RouteStats } from './lib/route-stats.js';
import { probeAfterGc, sampleRss, slopePerMinute, type GcSample } from './lib/rss.js';
import { schedMs } from './lib/sched.js';
import { SoakUser } from './lib/soak-user.js';
import { SOAK_PASSWORD, buildSoakWorld } from './lib/soak-world.js';
import { commandLine } from '../src/lib/cli.js';
import { fmt } from './lib/stats.js';

/**
 * `npm run bench -- soak [--users 500] [--seconds 60] [--think-ms 1000] [--population 5000] [--flat-mb 8] [--stripped]`
 *
 * `users` virtual people use the app at once for `seconds` (each one action, then a think time of
 * 0.5–1.5 × think-ms: see bench/lib/soak-user.ts) against ONE API process (src/main.ts, pinned to
 * CPU 0) on a fresh PostgreSQL database; this load generator runs on CPU 1. Prints throughput,
 * p50/p99 per route, every unexpected answer (there must be none: the run fails otherwise), CPU
 * use (and how long the server waited for a CPU, on a shared machine), and the server's RSS every
 * second. Verdict on memory: V8 grows and collects its heap in a sawtooth whose teeth can be longer
 * than the run, so a raw RSS series mostly shows where the teeth fell. The server therefore
 * preloads bench/lib/heap-probe.mjs, which runs a full GC every 5 s on request (a pause of a few
 * tens of ms) and reports heap used and RSS right after it: what the process really keeps. Even
 * then the allocator hands pages back to the OS in steps and takes them again, so post-GC RSS
 * jitters (a band of about 9 MB over a quiet 5-minute run). Flat means: the highest post-GC RSS of
 * the last third is at most `flat-mb` above the highest of the middle third (the first third is
 * warm-up: JIT, caches, pools). A leak keeps raising that high-water mark; one slower than about
 * flat-mb per third of the run needs a longer run (--seconds 300). Slopes are printed too.
 */
export async function run(args: string[]): Promise<void> {
  const { values: o } = commandLine(
    {
      command: 'npm run bench -- soak',
      options: {
        users: { type: 'integer', default: 500, min: 1, help: 'simulated people using the app at once' },
        seconds: { type: 'number', default: 60, min: 1, help: 'length of the run' },
        'think-ms': { type: 'number', default: 1000, min: 0, help: 'mean pause between one person\'s actions' },
        population: { type: 'integer', default: 5000, min: 1, help: 'registered people (at least --users)' },
        'flat-mb': { type: 'number', default: 8, min: 0, help: 'post-GC RSS growth still counted as flat' },
        stripped: { type: 'boolean', help: 'for comparison only: LOG_LEVEL=warn and no Redis (not how it is deployed)' },
      },
    },
    args,
  );
  const { users, seconds } = o;
  const thinkMs = o['think-ms'];
  const population = Math.max(users, o.population);
  const flatLimit = o['flat-mb'];

  const url = await freshBenchDatabase('bench_soak');
  const { emails } = await buildSoakWorld(url, users, population);
  const port = randomPort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'soak-'));
  // As deployed (bench/lib/production.ts): request logs on, REDIS_URL set; --stripped: warn, no Redis.
  const config = benchConfig(args);
  const env = {
    ...config.env,
    DATABASE_URL: url,
    WEB_CONCURRENCY: '1',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: 'soak-bench-secret-0123456789-0123456789-0123456789',
    // Every virtual user logs in from this one address, and a minute of app use here is a day's
    // worth of match requests for some.
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    MATCH_REQUESTS_PER_DAY: '10000',
    // Likewise profile and compatibility views: the soak compresses hours of browsing into minutes.
    PROFILE_VIEWS_PER_HOUR: '1000000',
    NODE_OPTIONS: `--expose-gc --import ${new URL('./lib/heap-probe.mjs', import.meta.url).pathname}`,
    HEAP_PROBE_FILE: join(dataDir, 'heap-probe'),
  };
  const server = await startProcess('src/main.ts', env, { cpu: 0, readyUrl: `${base}/readyz`, logFile: config.logFile('soak-app') });
  console.log(config.describe());
  const vus: SoakUser[] = [];
  try {
    await pinSelf(1);
    const warmup = new RouteStats();
    await pool(emails, 16, async (email) => {
      const res = await fetch(`${base}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: SOAK_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { access_token: string; user: { user_id: number } };
      vus.push(new SoakUser(base, body.access_token, body.user.user_id, warmup));
    });
    await pool(vus, 50, (vu) => vu.connect());
    if (warmup.errors > 0) throw new Error(`set-up failed: ${warmup.examples.join('; ')}`);
    console.log(`soak: ${users} users (of ${population} people), ${seconds}s, think time ${thinkMs} ms ± 50%; server pid ${server.pid} on CPU 0, load on CPU 1`);

    const stats = new RouteStats();
    for (const vu of vus) vu.useStats(stats);
    const rss = sampleRss(server.pid!, 1000);
    const afterGc = probeAfterGc(server.pid!, env.HEAP_PROBE_FILE, 5000);
    // CPU of the server, of its PostgreSQL backends and of this load generator, and this
    // generator's event-loop delay: if it lags, the latencies below include its own delay.
    const dbPids = await backendPids(url, 'bench_soak');
    const cpuOf = () => ({
      server: cpuMs(server.pid!),
      db: dbPids.reduce((n, pid) => n + cpuMs(pid), 0),
      self: process.cpuUsage(),
      sched: schedMs(server.pid!),
      selfSched: schedMs(process.pid),
    });
    const cpu0 = cpuOf();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const start = Date.now();
    const end = start + seconds * 1000;
    await Promise.all(
      vus.map(async (vu, i) => {
        // Spread the first actions over one think time, as people do not all tap at once.
        await sleep((i / vus.length) * thinkMs);
        while (Date.now() < end) {
          await vu.step();
          await sleep(thinkMs * (0.5 + Math.random()));
        }
      }),
    );
    const elapsed = (Date.now() - start) / 1000;
    loopDelay.disable();
    const cpu1 = cpuOf();
    const self = process.cpuUsage(cpu0.self);
    const share = (ms: number) => `${fmt(ms / (elapsed * 10), 0)}%`;
    console.log(
      `CPU (of one core): server ${share(cpu1.server - cpu0.server)}, its ${dbPids.length} PostgreSQL backends ${share(cpu1.db - cpu0.db)}, ` +
        `load generator ${share((self.user + self.system) / 1000)} (event-loop delay p99 ${fmt(loopDelay.percentile(99) / 1e6, 0)} ms); ` +
        `per answered request: server ${fmt(((cpu1.server - cpu0.server) * 1000) / stats.completed, 0)} µs, ` +
        `PostgreSQL ${fmt(((cpu1.db - cpu0.db) * 1000) / stats.completed, 0)} µs`,
    );
    console.log(
      `waiting for a CPU (runnable, other processes running): server event loop ${share(cpu1.sched.waiting - cpu0.sched.waiting)} ` +
        `of the time, load generator ${share(cpu1.selfSched.waiting - cpu0.selfSched.waiting)}; load average ${loadavg().map((x) => fmt(x, 1)).join(' ')}`,
    );
    rss.stop();
    report(stats, elapsed, rss.samples, afterGc.stop(), flatLimit);
    if (stats.errors > 0) throw new Error(`${stats.errors} unexpected answers`);
  } finally {
    for (const vu of vus) vu.close();
    await stopProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`server: ${logVolume(config.logFile('soak-app'))}`);
}

function report(stats: RouteStats, elapsed: number, samples: { t: number; mb: number }[], gcs: GcSample[], flatLimit: number): void {
  const deliveries = 'WS newMessage delivered to partner';
  console.log(
    `throughput: ${fmt(stats.completed / elapsed, 0)} answered requests and socket acks per second (pushes to partners not counted)`,
  );
  console.log(`errors: ${stats.errors}${stats.examples.map((e) => `\n  ${e}`).join('')}`);
  for (const line of stats.table(elapsed)) console.log(line);
  console.log(`(${deliveries}: from the sender's send to the partner's newMessage)`);
  const series = samples.map((s) => fmt(s.mb, 0)).join(' ');
  console.log(`server RSS, MB, every second: ${series}`);
  const rawSlope = slopePerMinute(samples.slice(Math.floor(samples.length / 3)));
  const end = samples.at(-1)?.t ?? 0;
  const late = gcs.filter((g) => g.t >= end / 3);
  const heapSlope = slopePerMinute(late.map((g) => ({ t: g.t, mb: g.heapMb })));
  const rssSlope = slopePerMinute(late.map((g) => ({ t: g.t, mb: g.rssMb })));
  console.log(
    `after a full GC every 5 s: heap used MB ${gcs.map((g) => fmt(g.heapMb, 0)).join(' ')}; RSS MB ${gcs.map((g) => fmt(g.rssMb, 0)).join(' ')}`,
  );
  const highest = (from: number, to: number) => late.filter((g) => g.t >= from && g.t < to).reduce((m, g) => Math.max(m, g.rssMb), -Infinity);
  const middle = highest(end / 3, (2 * end) / 3);
  const last = highest((2 * end) / 3, Infinity);
  const growth = last - middle;
  const verdict = !Number.isFinite(growth) ? 'NO DATA (heap probe not loaded?)' : growth <= flatLimit ? 'flat' : 'GROWING';
  console.log(
    `memory: highest post-GC RSS middle third ${fmt(middle, 0)} MB, last third ${fmt(last, 0)} MB (${growth >= 0 ? '+' : ''}${fmt(growth, 1)}) → ${verdict} ` +
      `(flat: ≤ +${flatLimit} MB, --flat-mb); slopes over the last two thirds: post-GC RSS ${fmt(rssSlope, 1)} MB/min, ` +
      `post-GC heap ${fmt(heapSlope, 1)} MB/min, raw RSS ${fmt(rawSlope, 1)} MB/min`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `f` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

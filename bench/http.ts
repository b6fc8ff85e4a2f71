import { commandLine } from '../src/lib/cli.js';
import { fmt, median } from './lib/stats.js';
import { benchAppEnv, loginAll, measureMe, randomPort, seedMeDatabase, type Round, type Target } from './lib/me-fixture.js';
import { pinSelf, startProcess, stopProcess } from './lib/processes.js';
import { benchConfig, logVolume } from './lib/production.js';

/**
 * `npm run bench -- http [--rounds 5] [--seconds 5] [--connections 50] [--users 200] [--stripped]`
 * Authenticated GET /api/users/me on the app versus a raw node:http + pg server doing the same
 * work, against the same PostgreSQL database, in interleaved rounds. Servers run pinned to CPU 0,
 * the load generator to CPU 1. Prints req/s, p50/p99 latency and server CPU per request per round,
 * and the medians' ratio. The app runs as deployed (bench/lib/production.ts: request logs on,
 * REDIS_URL set); --stripped runs it with LOG_LEVEL=warn and no Redis instead, for comparison.
 */
export async function run(args: string[]): Promise<void> {
  const { values: o } = commandLine(
    {
      command: 'npm run bench -- http',
      options: {
        rounds: { type: 'integer', default: 5, min: 1, help: 'interleaved rounds' },
        seconds: { type: 'number', default: 5, min: 0.1, help: 'seconds per round and server' },
        connections: { type: 'integer', default: 50, min: 1, help: 'concurrent connections' },
        users: { type: 'integer', default: 200, min: 1, help: 'users logged in' },
        stripped: { type: 'boolean', help: 'for comparison only: LOG_LEVEL=warn and no Redis (not how it is deployed)' },
      },
    },
    args,
  );
  const { rounds, seconds, connections, users: userCount } = o;

  const config = benchConfig(args);
  const env = benchAppEnv(await seedMeDatabase('bench_http', userCount), config.env);
  const appPort = randomPort();
  const rawPort = appPort + 1;
  const app = await startProcess('src/main.ts', { ...env, PORT: String(appPort), HOST: '127.0.0.1' }, {
    cpu: 0,
    readyUrl: `http://127.0.0.1:${appPort}/readyz`,
    logFile: config.logFile('http-app'),
  });
  const raw = await startProcess('bench/http-raw-server.ts', { ...env, PORT: String(rawPort) }, { cpu: 0 }).catch(async (e) => {
    await stopProcess(app);
    throw e;
  });
  await pinSelf(1);
  try {
    const tokens = await loginAll(appPort, userCount);
    const appTarget: Target = { port: appPort, pids: [app.pid!] };
    const rawTarget: Target = { port: rawPort, pids: [raw.pid!] };
    await measureMe(appTarget, tokens, connections, seconds); // warm-up, not counted
    await measureMe(rawTarget, tokens, connections, seconds);
    console.log(config.describe());
    console.log(`GET /api/users/me, ${connections} connections, ${seconds}s × ${rounds} interleaved rounds`);
    const appRuns: Round[] = [];
    const rawRuns: Round[] = [];
    for (let r = 1; r <= rounds; r++) {
      const a = await measureMe(appTarget, tokens, connections, seconds);
      const b = await measureMe(rawTarget, tokens, connections, seconds);
      appRuns.push(a);
      rawRuns.push(b);
      console.log(`round ${r}: app ${describe(a)} | raw ${describe(b)} | ratio ${fmt(a.rps / b.rps)}`);
    }
    summarise(appRuns, rawRuns);
  } finally {
    await stopProcess(app);
    await stopProcess(raw);
  }
  console.log(`app server: ${logVolume(config.logFile('http-app'))}; ${config.describe()}`);
}

function describe(r: Round): string {
  return `${fmt(r.rps, 0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${fmt(r.cpuUs, 0)} µs CPU/req)`;
}

function summarise(appRuns: Round[], rawRuns: Round[]): void {
  const m = (runs: Round[], k: keyof Round) => median(runs.map((x) => x[k]));
  console.log(
    `median: app ${fmt(m(appRuns, 'rps'), 0)} req/s p50 ${m(appRuns, 'p50')} ms p99 ${m(appRuns, 'p99')} ms; ` +
      `raw ${fmt(m(rawRuns, 'rps'), 0)} req/s p50 ${m(rawRuns, 'p50')} ms p99 ${m(rawRuns, 'p99')} ms`,
  );
  console.log(
    `ratio app/raw throughput ${fmt(m(appRuns, 'rps') / m(rawRuns, 'rps'))} ` +
      `(median of per-round ratios ${fmt(median(appRuns.map((a, i) => a.rps / rawRuns[i]!.rps)))}); ` +
      `CPU per request app ${fmt(m(appRuns, 'cpuUs'), 0)} µs vs raw ${fmt(m(rawRuns, 'cpuUs'), 0)} µs ` +
      `(raw/app ${fmt(m(rawRuns, 'cpuUs') / m(appRuns, 'cpuUs'))})`,
  );
}

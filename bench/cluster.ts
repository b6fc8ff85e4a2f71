import { execFileSync } from 'node:child_process';
import { fmt, arg, median } from './lib/stats.js';
import { benchAppEnv, loginAll, measureMe, randomPort, seedMeDatabase, type Round } from './lib/me-fixture.js';
import { startProcess, stopProcess } from './lib/processes.js';

/**
 * `npm run bench -- cluster [--rounds 3] [--seconds 5] [--connections 100] [--users 200]`
 * One API process versus WEB_CONCURRENCY=2 (node:cluster, one worker per core) on authenticated
 * GET /api/users/me, same PostgreSQL database and Redis, interleaved rounds. Nothing is pinned:
 * the point is using both cores, which the load generator shares with the servers here.
 */
export async function run(args: string[]): Promise<void> {
  const rounds = arg(args, 'rounds', 3);
  const seconds = arg(args, 'seconds', 5);
  const connections = arg(args, 'connections', 100);
  const userCount = arg(args, 'users', 200);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  const env = { ...benchAppEnv(await seedMeDatabase('bench_cluster', userCount)), REDIS_URL: redisUrl, HOST: '127.0.0.1' };
  const singlePort = randomPort();
  const clusterPort = singlePort + 1;
  const single = await startProcess('src/main.ts', { ...env, PORT: String(singlePort) }, { readyUrl: `http://127.0.0.1:${singlePort}/readyz` });
  const clustered = await startProcess('src/main.ts', { ...env, PORT: String(clusterPort), WEB_CONCURRENCY: '2' }, {
    readyUrl: `http://127.0.0.1:${clusterPort}/readyz`,
  }).catch(async (e) => {
    await stopProcess(single);
    throw e;
  });
  try {
    await new Promise((r) => setTimeout(r, 2000)); // let the second worker finish starting
    const workers = execFileSync('pgrep', ['-P', String(clustered.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    const tokens = await loginAll(singlePort, userCount);
    const one = { port: singlePort, pids: [single.pid!] };
    const two = { port: clusterPort, pids: [clustered.pid!, ...workers] };
    await measureMe(one, tokens, connections, seconds);
    await measureMe(two, tokens, connections, seconds);
    const singleRuns: Round[] = [];
    const clusterRuns: Round[] = [];
    console.log(`GET /api/users/me, ${connections} connections, ${seconds}s × ${rounds} interleaved rounds; ${workers.length} workers`);
    for (let r = 1; r <= rounds; r++) {
      const a = await measureMe(one, tokens, connections, seconds);
      const b = await measureMe(two, tokens, connections, seconds);
      singleRuns.push(a);
      clusterRuns.push(b);
      console.log(
        `round ${r}: 1 process ${fmt(a.rps, 0)} req/s (p99 ${a.p99} ms) | 2 workers ${fmt(b.rps, 0)} req/s (p99 ${b.p99} ms) | ` +
          `ratio ${fmt(b.rps / a.rps)}`,
      );
    }
    const m = (runs: Round[], k: keyof Round) => median(runs.map((x) => x[k]));
    console.log(
      `median: 1 process ${fmt(m(singleRuns, 'rps'), 0)} req/s p99 ${m(singleRuns, 'p99')} ms; 2 workers ` +
        `${fmt(m(clusterRuns, 'rps'), 0)} req/s p99 ${m(clusterRuns, 'p99')} ms; ratio ${fmt(m(clusterRuns, 'rps') / m(singleRuns, 'rps'))}`,
    );
  } finally {
    await stopProcess(single);
    await stopProcess(clustered);
  }
}

import autocannon from 'autocannon';
import { hashPassword } from '../src/auth/passwords.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { arg, fmt, median } from './lib/stats.js';
import { freshBenchDatabase } from './lib/bench-db.js';
import { cpuSeconds, pinSelf, startProcess, stopProcess } from './lib/processes.js';

/**
 * `npm run bench -- http [--rounds 5] [--seconds 5] [--connections 50] [--users 200]`
 * Authenticated GET /api/users/me on the app versus a raw node:http + pg server doing the same
 * work, against the same PostgreSQL database, in interleaved rounds. Servers run pinned to CPU 0,
 * the load generator to CPU 1. Prints req/s, p50/p99 latency per round and the medians' ratio.
 */
export async function run(args: string[]): Promise<void> {
  const rounds = arg(args, 'rounds', 5);
  const seconds = arg(args, 'seconds', 5);
  const connections = arg(args, 'connections', 50);
  const userCount = arg(args, 'users', 200);
  const secret = 'bench-secret-0123456789-0123456789-0123456789';

  const url = await freshBenchDatabase('bench_http');
  const database = await openDatabase({ url });
  await migrateToLatest(database.db);
  const hash = await hashPassword('bench password');
  await database.db
    .insertInto('users')
    .values(
      Array.from({ length: userCount }, (_, i) => ({
        email: `bench${i}@example.com`,
        password_hash: hash,
        name: `벤치${i}`,
        birth_date: '1990-01-01',
        gender: i % 2 ? ('male' as const) : ('female' as const),
        interested_in: [i % 2 ? 'female' : 'male'] as ('male' | 'female')[],
        bio: '안녕하세요 반갑습니다',
      })),
    )
    .execute();
  await database.close();

  const env = { DATABASE_URL: url, JWT_SECRET: secret, LOG_LEVEL: 'warn', NODE_ENV: 'production', AUTH_RATE_LIMIT_PER_IP: '100000' };
  const appPort = 20000 + Math.floor(Math.random() * 20000);
  const rawPort = appPort + 1;
  const app = await startProcess('src/main.ts', { ...env, PORT: String(appPort), HOST: '127.0.0.1' }, {
    cpu: 0,
    readyUrl: `http://127.0.0.1:${appPort}/readyz`,
  });
  const raw = await startProcess('bench/http-raw-server.ts', { ...env, PORT: String(rawPort) }, { cpu: 0 }).catch(async (e) => {
    await stopProcess(app);
    throw e;
  });
  await pinSelf(1);
  try {
    await compare({ port: appPort, pid: app.pid! }, { port: rawPort, pid: raw.pid! }, { rounds, seconds, connections, userCount });
  } finally {
    await stopProcess(app);
    await stopProcess(raw);
  }
}

interface Server {
  port: number;
  pid: number;
}

async function compare(
  appServer: Server,
  rawServer: Server,
  { rounds, seconds, connections, userCount }: { rounds: number; seconds: number; connections: number; userCount: number },
): Promise<void> {
  const appPort = appServer.port;
  // Log every bench user in once (on the app); both servers verify the same tokens.
  const tokens: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const res = await fetch(`http://127.0.0.1:${appPort}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench${i}@example.com`, password: 'bench password' }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()} (raise AUTH_RATE_LIMIT_*?)`);
    tokens.push(((await res.json()) as { access_token: string }).access_token);
  }

  const measure = async ({ port, pid }: Server) => {
    let next = 0;
    const cpuBefore = cpuSeconds(pid);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/users/me`,
      connections,
      duration: seconds,
      setupClient: (c) => {
        c.setHeaders({ authorization: `Bearer ${tokens[next++ % tokens.length]}` });
      },
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const cpuUs = ((cpuSeconds(pid) - cpuBefore) / result.requests.total) * 1e6;
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
  };

  await measure(appServer); // warm-up, not counted
  await measure(rawServer);
  {
    type Run = { rps: number; p50: number; p99: number; cpuUs: number };
    const appRuns: Run[] = [];
    const rawRuns: Run[] = [];
    console.log(`GET /api/users/me, ${connections} connections, ${seconds}s × ${rounds} interleaved rounds`);
    for (let r = 1; r <= rounds; r++) {
      const a = await measure(appServer);
      const b = await measure(rawServer);
      appRuns.push(a);
      rawRuns.push(b);
      console.log(
        `round ${r}: app ${fmt(a.rps, 0)} req/s (p50 ${a.p50} ms, p99 ${a.p99} ms, ${fmt(a.cpuUs, 0)} µs CPU/req) | ` +
          `raw ${fmt(b.rps, 0)} req/s (p50 ${b.p50} ms, p99 ${b.p99} ms, ${fmt(b.cpuUs, 0)} µs CPU/req) | ratio ${fmt(a.rps / b.rps)}`,
      );
    }
    const appRps = median(appRuns.map((x) => x.rps));
    const rawRps = median(rawRuns.map((x) => x.rps));
    console.log(
      `median: app ${fmt(appRps, 0)} req/s p50 ${median(appRuns.map((x) => x.p50))} ms p99 ${median(appRuns.map((x) => x.p99))} ms; ` +
        `raw ${fmt(rawRps, 0)} req/s p50 ${median(rawRuns.map((x) => x.p50))} ms p99 ${median(rawRuns.map((x) => x.p99))} ms; ` +
        `ratio app/raw ${fmt(appRps / rawRps)} (median of per-round ratios ${fmt(median(appRuns.map((a, i) => a.rps / rawRuns[i]!.rps)))}); ` +
        `server CPU per request app ${fmt(median(appRuns.map((x) => x.cpuUs)), 0)} µs vs raw ${fmt(median(rawRuns.map((x) => x.cpuUs)), 0)} µs ` +
        `(raw/app ${fmt(median(rawRuns.map((x) => x.cpuUs)) / median(appRuns.map((x) => x.cpuUs)))})`,
    );
  }
}

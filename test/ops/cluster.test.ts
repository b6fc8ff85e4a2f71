import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { POSTGRES_URL, REDIS_TEST_URL, skipUnlessServices } from '../helpers/services.js';

const skip = await skipUnlessServices('test/ops/cluster.test.ts', 'postgres', 'redis');

describe('WEB_CONCURRENCY', () => {
  it('refuses more than one process without DATABASE_URL and REDIS_URL', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, WEB_CONCURRENCY: '2', DATABASE_URL: '', REDIS_URL: '', DATA_DIR: mkdtempSync(join(tmpdir(), 'saju-cl-')) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /WEB_CONCURRENCY/);
  });

  describe('two workers on one port', { skip }, () => {
    // A real server even on the PGlite run: PGlite cannot be shared by processes.
    let db: TestDatabase;
    before(async () => {
      db = await freshPostgresDatabase(POSTGRES_URL);
    });
    after(async () => db.close());

    it('serves REST and WebSocket from both workers and stops on SIGTERM', async () => {
      // PORT 0: the primary picks a free port once and both workers share it.
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          WEB_CONCURRENCY: '2',
          DATABASE_URL: db.url!,
          REDIS_URL: REDIS_TEST_URL,
          PORT: '0',
          HOST: '127.0.0.1',
          JWT_SECRET: 'cluster-test-secret-0123456789-0123456789',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const sockets: Socket[] = [];
      try {
        const deadline = Date.now() + 60_000;
        while ((output.match(/server ready/g) ?? []).length < 2) {
          assert.ok(Date.now() < deadline, `two workers did not start:\n${output}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const ports = new Set([...output.matchAll(/Server listening at http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]));
        assert.equal(ports.size, 1, `both workers listen on one port:\n${output}`);
        const base = `http://127.0.0.1:${[...ports][0]}`;
        const post = (path: string, body: unknown) =>
          fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(body) });
        const reg = await post('/api/users/register', { email: 'cl@example.com', password: 'password123', name: '클러스터', birth_date: '1991-02-03', gender: 'female' });
        assert.equal(reg.status, 201);
        const login = (await (await post('/api/users/login', { email: 'cl@example.com', password: 'password123' })).json()) as { access_token: string };
        // New connections are spread round-robin over the workers: all of them answer for the same user.
        for (let i = 0; i < 6; i++) {
          const me = await fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${login.access_token}`, connection: 'close' } });
          assert.equal(me.status, 200);
        }
        for (let i = 0; i < 4; i++) {
          const socket = connect(base, { auth: { token: login.access_token }, transports: ['websocket'], reconnection: false });
          sockets.push(socket);
          await new Promise<void>((resolve, reject) => {
            socket.on('connect', () => resolve());
            socket.on('connect_error', reject);
          });
        }
        // Which worker served what: each worker's /metrics carries its own `worker` label, its
        // own request counts and its own open sockets. Fresh connections reach both workers.
        const served = new Map<string, { meRequests: number; sockets: number }>();
        for (let i = 0; i < 10 && served.size < 2; i++) {
          const text = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
          const worker = /socketio_connected_sockets\{worker="(\d+)"\} (\d+)/.exec(text);
          assert.ok(worker, text.slice(0, 2000));
          const me = /http_requests_total\{method="GET",route="\/api\/users\/me",status="200",worker="\d+"\} (\d+)/.exec(text);
          served.set(worker[1]!, { meRequests: Number(me?.[1] ?? 0), sockets: Number(worker[2]) });
        }
        assert.equal(served.size, 2, `metrics from both workers: ${JSON.stringify([...served])}`);
        for (const [worker, counts] of served) {
          assert.ok(counts.meRequests > 0, `worker ${worker} served GET /api/users/me: ${JSON.stringify(counts)}`);
          assert.ok(counts.sockets > 0, `worker ${worker} holds WebSocket connections: ${JSON.stringify(counts)}`);
        }
        assert.equal([...served.values()].reduce((sum, c) => sum + c.meRequests, 0), 6);
        assert.equal([...served.values()].reduce((sum, c) => sum + c.sockets, 0), 4);
      } finally {
        for (const socket of sockets) socket.close();
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output);
    });
  });
});

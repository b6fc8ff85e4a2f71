import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** The real entry point, as `npm start` runs it (from source here, to skip the build). */
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The base URL the server announces once it listens (it is started on port 0: any free port). */
async function listening(server: ReturnType<typeof startServer>, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())?.[1];
    if (port) return `http://127.0.0.1:${port}`;
    assert.ok(Date.now() < deadline, `the server did not start:\n${server.output()}`);
    assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('process lifecycle', () => {
  it('serves on the embedded database, keeps data across restarts, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'saju-life-'));
    const env = { PORT: '0', DATA_DIR: dataDir, DATABASE_URL: '' };

    const first = startServer(env);
    let base = await listening(first);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const reg = await fetch(`${base}/api/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'keep@example.com', password: 'password123', name: '유지', birth_date: '1990-01-01', gender: 'male' }),
    });
    assert.equal(reg.status, 201);
    const login = (await (
      await fetch(`${base}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'keep@example.com', password: 'password123' }),
      })
    ).json()) as { access_token: string };
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());

    const second = startServer(env);
    base = await listening(second);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    // Same data and same generated JWT secret: the token from before the restart still works.
    const me = await fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${login.access_token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { email: string }).email, 'keep@example.com');
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0, second.output());
  });
});

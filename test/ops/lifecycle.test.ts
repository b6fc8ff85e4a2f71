import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A port the OS has just handed out (listen on 0, then close), never a random guess. */
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

/** Start-up takes seconds on a quiet machine; minutes are allowed for a loaded one (a CI runner). */
async function waitFor(url: string, timeoutMs = 180_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('process lifecycle', () => {
  it('serves on the embedded database, keeps data across restarts, and exits 0 on SIGTERM', async (t) => {
    // A failed assertion must not leave a server running: the test process would never exit.
    const children: Array<ReturnType<typeof startServer>['child']> = [];
    t.after(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'saju-life-'));
    const port = String(await freePort());
    const env = { PORT: port, DATA_DIR: dataDir, DATABASE_URL: '' };
    const base = `http://127.0.0.1:${port}`;

    const first = startServer(env);
    children.push(first.child);
    assert.equal((await waitFor(`${base}/readyz`)).status, 200);
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
    children.push(second.child);
    await waitFor(`${base}/healthz`);
    // Same data and same generated JWT secret: the token from before the restart still works.
    const me = await fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${login.access_token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { email: string }).email, 'keep@example.com');
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0, second.output());
  });
});

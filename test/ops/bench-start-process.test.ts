import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listeningPorts, randomPort, startProcess, stopProcess } from '../../bench/lib/processes.js';
import { eventually } from '../helpers/socket.js';

// startProcess is how every bench starts its servers: a server that does not start must not be
// left running (it would hold its port and its core for the next run), and the log can be kept
// across the two servers of one run (the recommendations bench restarts its server at "midnight").
describe('bench: startProcess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Prints a line, writes its pid to PID_FILE, and then neither prints the marker nor listens.
  const script = join(dir, 'server.mjs');
  writeFileSync(
    script,
    `import { writeFileSync } from 'node:fs';
     writeFileSync(process.env.PID_FILE, String(process.pid));
     console.log('line of ' + process.env.NAME);
     if (process.env.READY === '1') console.log('LISTENING');
     setInterval(() => {}, 1000);`,
  );
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('kills a server that never becomes ready and rejects with why', { timeout: 30_000 }, async () => {
    const pidFile = join(dir, 'never.pid');
    await assert.rejects(
      startProcess(script, { PID_FILE: pidFile, NAME: 'never' }, { readyUrl: 'http://127.0.0.1:9/readyz', timeoutMs: 1500 }),
      /did not start/,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0);
    await eventually(() => assert.equal(alive(pid), false, `pid ${pid} is still running`), 5000);
  });

  it('truncates the log file by default and appends to it with appendLog', { timeout: 30_000 }, async () => {
    const logFile = join(dir, 'app.log');
    writeFileSync(logFile, 'left by an earlier run\n');
    const run = async (name: string, appendLog: boolean) => {
      const child = await startProcess(script, { PID_FILE: join(dir, `${name}.pid`), NAME: name, READY: '1' }, { logFile, appendLog });
      await stopProcess(child);
    };
    await run('first', false);
    await run('second', true);
    // The pipe to the file may still be draining when the process has exited.
    const expected = ['line of first', 'LISTENING', 'line of second', 'LISTENING'];
    await eventually(() => assert.deepEqual(readFileSync(logFile, 'utf8').split('\n').filter(Boolean), expected), 5000);
  });

  // A bench run once drew 25672, where RabbitMQ listens on this machine, and its server died with EADDRINUSE.
  it('randomPort skips a port something already listens on', { timeout: 30_000 }, async () => {
    // A port whose next two are free and follow it without wrapping.
    const usable = (p: number) => p < 32_600 && !listeningPorts().has(p + 1) && !listeningPorts().has(p + 2);
    let port = randomPort();
    while (!usable(port)) port = randomPort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port + 1, '127.0.0.1', resolve));
    try {
      assert.ok(listeningPorts().has(port + 1), `${port + 1} is listed as listening`);
      assert.equal(randomPort(), port + 2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

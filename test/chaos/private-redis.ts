import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Cleanups } from './cleanups.js';

/**
 * A Redis of our own (a child process on its own port, no persistence), so that killing it
 * cannot disturb the machine's shared Redis. A restart is a SIGKILL and a new process on the same
 * port: an outage with every connection and subscription lost, as when a Redis host dies.
 */
export interface PrivateRedis {
  url: string;
  /** Kills the server, keeps it down for `downMs`, starts a fresh (empty) one. */
  restart(downMs: number): Promise<void>;
}

/** Resolves when a PING on `port` is answered with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
    socket.on('connect', () => socket.write('PING\r\n'));
  });
}

async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port))) {
    if (Date.now() > deadline) throw new Error(`redis on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startPrivateRedis(tempDir: string, port: number, cleanups: Cleanups): Promise<PrivateRedis> {
  const dir = join(tempDir, 'redis');
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    await waitForPong(port, 15_000);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  cleanups.add('redis', () => {
    (child as ChildProcess | null)?.kill('SIGKILL');
  });
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Exit code once it exited (null: still running). */
  exited: Promise<number | null>;
  output(): string;
  alive(): boolean;
  stop(): Promise<number | null>;
}

/** Every server process started here, killed by stopServerProcesses() whatever happened. */
const started = new Set<ChildProcess>();

/** Kills every server process still running (for `after` hooks: also after a failed start). */
export async function stopServerProcesses(): Promise<void> {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise<void>((resolve) => {
          started.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

// A test process that ends for any reason takes its servers with it.
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/**
 * The real entry point (`src/main.ts`, as `npm start` runs it, from source) in its own process, on
 * the embedded database in a fresh data dir and an ephemeral port read from its log: what a crash
 * inside it does to the process is what these tests observe.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'saju-hostile-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      WEB_CONCURRENCY: '1',
      AUTH_RATE_LIMIT_PER_IP: '100000',
      AUTH_RATE_LIMIT_PER_EMAIL: '100000',
      AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: '100000',
      PROFILE_VIEWS_PER_HOUR: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  let exitCode: number | null = null;
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running = false;
      exitCode = code;
      resolve(code);
    }),
  );
  const baseUrl = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded machine compiling and migrating can take a while. A server that does
    // not start in time is killed, so that it cannot keep the test process alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${exitCode} before listening:\n${output}`));
    });
  });
  return {
    child,
    baseUrl,
    exited,
    output: () => output,
    alive: () => running,
    async stop() {
      started.delete(child);
      if (running) child.kill('SIGTERM');
      return exited;
    },
  };
}

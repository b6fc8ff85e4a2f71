import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Cleanups } from './cleanups.js';

export interface UnexpectedExit {
  server: number;
  at: number;
  code: number | null;
  signal: string | null;
}

/**
 * One real API process (`src/main.ts` through tsx), as it runs in production, supervised like a
 * process manager would: an exit we did not cause is recorded (it is a bug: a crash) and the
 * process is started again, so that the run can go on and report it at the end.
 */
export class ApiServer {
  readonly url: string;
  readonly unexpectedExits: UnexpectedExit[] = [];
  private child: ChildProcess | null = null;
  private killing = false;
  private disposed = false;

  constructor(
    readonly index: number,
    private readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
    cleanups: Cleanups,
    private readonly startedAt: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    cleanups.add(`api server ${index}`, () => {
      this.disposed = true;
      this.killing = true;
      this.child?.kill('SIGKILL');
    });
  }

  /** Starts the process and resolves once /readyz answers 200 (database and Redis reachable). */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.disposed) throw new Error(`api server ${this.index}: the run is over`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.killing) return;
      this.unexpectedExits.push({ server: this.index, at: Date.now() - this.startedAt, code, signal });
      console.error(`!! api server ${this.index} exited by itself (code ${code}, signal ${signal}); restarting it`);
      setTimeout(() => void this.start().catch((e: unknown) => console.error(`api server ${this.index} restart failed:`, e)), 500);
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child !== child) throw new Error(`api server ${this.index} exited while starting:\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`api server ${this.index} not ready within ${timeoutMs} ms:\n${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: no shutdown hook runs, in-flight work (commits without fan-out) is cut short. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.killing = true;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.killing = false;
  }

  /** Ends the process gracefully (SIGTERM, then SIGKILL after a grace period). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.killing = true;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

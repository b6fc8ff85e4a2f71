import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Where `compileServers` puts the JavaScript of src/ and bench/ (tsconfig.bench.json). */
export const BENCH_BUILD_DIR = '.bench-build';
/** What the servers run as: set by compileServers (tsx until it has run). */
let runAs: 'tsx' | 'tsx-forced' | 'compiled' = 'tsx';

/**
 * Compiles src/ and bench/ to plain JavaScript in BENCH_BUILD_DIR (tsc, tsconfig.bench.json), so
 * that the servers a benchmark starts run as a deployment runs `npm start` (`node dist/main.js`):
 * no TypeScript loader. Under `--import tsx`, Node runs the loader's hooks on a thread of its own
 * that stays alive with ≈ 28 MB of heap after the start; in a chat run its idle-time Mark-Compacts
 * (one of them a 40.9-ms pause) ran on the server's only core, and the server waited for them.
 * BENCH_TSX=1 keeps the servers under tsx (for comparison). Returns what the servers run as.
 */
export function compileServers(): string {
  if (process.env.BENCH_TSX === '1') {
    runAs = 'tsx-forced';
    return serversRunAs();
  }
  rmSync(BENCH_BUILD_DIR, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.bench.json failed (${result.status ?? result.signal})`);
  runAs = 'compiled';
  return serversRunAs();
}

/** What the servers run as: compileServers' answer, for the configuration line. */
export function serversRunAs(): string {
  const flags =
    deployedFlags().length === 0
      ? "the app's servers with Node's default V8 flags (BENCH_NODE_DEFAULTS=1; not how npm start runs it)"
      : `the app's servers with ${deployedFlags().join(' ')} as npm start runs it, the baselines with Node's defaults`;
  if (runAs === 'compiled') return `servers compiled by tsc to ${BENCH_BUILD_DIR}/, run by plain node; ${flags}`;
  return `${runAs === 'tsx-forced' ? 'servers under tsx (BENCH_TSX=1; not how it is deployed)' : 'servers under tsx'}; ${flags}`;
}

/**
 * The V8 flags `npm start` gives the API process (package.json's `start` script; a test keeps the two
 * the same). `--single-threaded-gc`: V8's GC helper threads, on the one core an API process has, took
 * that core from the main thread for up to 20–32 ms at once during a Mark-Compact's concurrent
 * marking (BENCHMARKS.md, "Chat: V8's helper threads on the server's core").
 */
export const DEPLOYED_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
/** The scripts that are the app (started with DEPLOYED_NODE_FLAGS); the others are baselines, run with Node's defaults. */
const APP_SERVERS = new Set(['src/main.ts', 'bench/chat-server.ts']);
/** The flags this run gives the app's servers: DEPLOYED_NODE_FLAGS, or none with BENCH_NODE_DEFAULTS=1. */
const deployedFlags = (): readonly string[] => (process.env.BENCH_NODE_DEFAULTS === '1' ? [] : DEPLOYED_NODE_FLAGS);

/**
 * The node command line of a server script: its compiled copy after compileServers, else under tsx.
 * The app's servers get the flags `npm start` gives (BENCH_NODE_DEFAULTS=1 leaves them out, for
 * comparison); BENCH_NODE_ARGS adds flags to every server.
 */
export function nodeCommand(script: string): string[] {
  // BENCH_NODE_ARGS: extra flags for the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const deployed = APP_SERVERS.has(script) ? deployedFlags() : [];
  const flags = [...deployed, ...extra];
  return runAs === 'compiled'
    ? [process.execPath, ...flags, `${BENCH_BUILD_DIR}/${script.replace(/\.ts$/, '.js')}`]
    : [process.execPath, ...flags, '--import', 'tsx', script];
}

/** Starts a server script (nodeCommand) as a child, pinned to `cpu` with taskset when available, and waits for
 * it to print `marker` on stdout, or — with `readyUrl` — for that URL to answer 200. With `logFile`
 * its stdout (the log lines) is written there (truncated first, or appended to with `appendLog`),
 * as a deployment's log shipper reads a process's stdout pipe; without, it is read and discarded. */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  options: { cpu?: number; marker?: string; readyUrl?: string; timeoutMs?: number; logFile?: string; appendLog?: boolean } = {},
): Promise<ChildProcess> {
  const marker = options.marker ?? 'LISTENING';
  const node = nodeCommand(script);
  const cmd = options.cpu !== undefined && existsSync('/usr/bin/taskset') ? ['taskset', '-c', String(options.cpu), ...node] : node;
  const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  if (options.logFile) child.stdout!.pipe(createWriteStream(options.logFile, { flags: options.appendLog ? 'a' : 'w' }));
  let settled = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start`)), options.timeoutMs ?? 60_000);
      const ready = () => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      };
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(marker)) ready();
      };
      child.stdout!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
      if (options.readyUrl) {
        const poll = async () => {
          if (settled) return; // started, failed or timed out: stop polling
          const ok = await fetch(options.readyUrl!).then((r) => r.status === 200, () => false);
          if (ok) return ready();
          setTimeout(poll, 200);
        };
        void poll();
      }
    });
  } catch (error) {
    child.kill('SIGKILL'); // a server that did not start is not left running
    throw error;
  } finally {
    settled = true;
  }
  if (!options.logFile) child.stdout!.resume();
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Pins the current process (the load generator) to a CPU, when taskset exists. */
export async function pinSelf(cpu: number): Promise<void> {
  if (!existsSync('/usr/bin/taskset')) return;
  await new Promise<void>((resolve) => {
    spawn('taskset', ['-cp', String(cpu), String(process.pid)], { stdio: 'ignore' }).on('exit', () => resolve());
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The TCP ports something on this machine listens on (Linux's /proc/net/tcp and tcp6; empty elsewhere). */
export function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // "  sl  local_address rem_address   st …": local_address is ADDR:PORT in hex, st 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local) ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

let nextPort = 20_000 + Math.floor(Math.random() * 12_000);
/** A port for a bench server: below Linux's ephemeral range (32768–60999), where the load
 * generator's own outgoing connections take their local ports and a listen() could collide with
 * one (a chat run failed so: EADDRINUSE); successive calls in one run never repeat, and a port
 * something already listens on is skipped (a chat run drew 25672, RabbitMQ's: EADDRINUSE). */
export function randomPort(): number {
  const taken = listeningPorts();
  do nextPort = nextPort >= 32_700 ? 20_000 : nextPort + 1;
  while (taken.has(nextPort));
  return nextPort;
}

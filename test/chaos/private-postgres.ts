import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cleanups } from './cleanups.js';

/**
 * A PostgreSQL cluster of our own (initdb + pg_ctl in a temp dir, its own port and unix socket
 * dir), so that restarting it cannot disturb the machine's shared server that other suites use.
 * initdb refuses to run as root: as root every pg command runs as the `postgres` user.
 */
export interface PrivatePostgres {
  url: string;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this resolves. */
  restart(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!dir) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return dir;
}

function command(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Asynchronous: the simulated clients keep running (and timing out) while PostgreSQL restarts. */
function asPostgresUser(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  const [file, argv] = command(cmd, args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || stdout || error.message}`));
      else resolve();
    });
  });
}

export async function startPrivatePostgres(tempDir: string, port: number, cleanups: Cleanups): Promise<PrivatePostgres> {
  const bin = binDir();
  const data = join(tempDir, 'pg-data');
  const sockets = join(tempDir, 'pg-sockets');
  const log = join(tempDir, 'postgres.log');
  for (const dir of [data, sockets]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    for (const path of [data, sockets]) chownSync(path, uid, gid);
    chownSync(tempDir, uid, gid); // pg_ctl writes its log file here
  }
  await asPostgresUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], 60_000);
  // fsync off: a fast shutdown still checkpoints, and nothing here survives the run anyway.
  const options = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off`;
  const pgCtl = (action: string[]) => ['-D', data, '-l', log, '-w', '-t', '30', ...action];
  // Registered before the start: a start that times out may still leave a postmaster behind.
  cleanups.add('postgres', () => {
    // Failure means it is already down (or never came up); the temp dir goes anyway.
    const [file, argv] = command(join(bin, 'pg_ctl'), pgCtl(['-m', 'immediate', 'stop']));
    spawnSync(file, argv, { timeout: 30_000, stdio: 'ignore' });
  });
  await asPostgresUser(join(bin, 'pg_ctl'), pgCtl(['-o', options, 'start']), 60_000);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => asPostgresUser(join(bin, 'pg_ctl'), pgCtl(['-m', 'fast', '-o', options, 'restart']), 60_000),
  };
}

function postgresIds(): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0) throw new Error('running as root needs a `postgres` user for initdb');
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

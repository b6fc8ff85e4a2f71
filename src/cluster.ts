import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';

/**
 * The primary of WEB_CONCURRENCY > 1: forks one API process per core (they share the listening
 * port; the primary hands out connections round-robin), replaces a worker that dies, and on
 * SIGTERM/SIGINT passes the signal on and exits once every worker has drained.
 * Migrations run here once, before any worker starts.
 */
export function runPrimary(config: Config, log: (msg: string) => void): void {
  let stopping = false;
  const fork = (): Worker => cluster.fork({ CLUSTER_WORKER: '1' });
  for (let i = 0; i < config.webConcurrency; i++) fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting a new one`);
    // A worker that crashes at once (bad deploy) must not spin the CPU: wait a little.
    setTimeout(fork, 1000).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping ${config.webConcurrency} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 1000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

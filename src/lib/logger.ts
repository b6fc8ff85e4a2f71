import { pino, type Logger } from 'pino';

/** Lines are written in batches of about this many bytes (≈ 15 access-log lines)… */
const BATCH_BYTES = 4096;
/** …or after at most this long, whichever comes first. */
const FLUSH_EVERY_MS = 250;

/**
 * The process's logger: pino writing JSON lines to stdout through an asynchronous destination
 * (sonic-boom). Lines are appended to a buffer that goes out in one write(2), off the event loop,
 * once it holds BATCH_BYTES or FLUSH_EVERY_MS have passed: under load one system call carries a
 * dozen lines or more, instead of one blocking write per line (measured: those writes were ≈ 10 %
 * of the server's CPU at a few thousand requests per second; one asynchronous write per line cost
 * as much again in thread hand-offs — BENCHMARKS.md). What is still buffered when the process
 * exits (shutdown, a fatal error, an uncaught exception) is written synchronously on the way out.
 */
export function createLogger(level: string): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, periodicFlush: FLUSH_EVERY_MS });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout already closed: nothing left to write to
    }
  });
  return pino({ level }, destination);
}

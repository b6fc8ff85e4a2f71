import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
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
  const destination = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  // The time limit: sonic-boom's own periodicFlush writes even when nothing is buffered (an
  // empty write(2), handed to a worker thread, every period); this one flushes only in the two
  // periods after a line was logged (the second for what waited behind a write still in flight).
  let quietTicks = 2;
  const write = destination.write.bind(destination);
  destination.write = (data: string) => {
    quietTicks = 0;
    return write(data);
  };
  const flusher = setInterval(() => {
    if (quietTicks >= 2) return;
    quietTicks += 1;
    destination.flush();
  }, FLUSH_EVERY_MS);
  flusher.unref();
  process.once('exit', () => {
    clearInterval(flusher);
    try {
      destination.flushSync();
    } catch {
      // stdout already closed: nothing left to write to
    }
  });
  return pino({ level }, destination);
}

/**
 * The access log: one line per request, when its response has gone out (Fastify's default writes
 * two, one on arrival with the request and one at the end). It carries the request id Fastify binds
 * to every request's logger (`reqId`, also sent as X-Request-Id), method, URL, status, the client
 * address and the time taken in ms; `request errored` at `error` level when the response failed.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      remoteAddress: request.ip,
      responseTime: reply.elapsedTime,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request completed');
  }
}

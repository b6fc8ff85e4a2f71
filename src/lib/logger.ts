import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';

/** Lines are written in batches of about this many characters (≈ 115 access-log lines)… */
const BATCH_CHARS = 32_768;
/** …or after at most this long, whichever comes first. */
const FLUSH_EVERY_MS = 250;

/** What createLogger writes to: pino's destination (tests pass their own). */
export interface LineSink {
  write(chunk: string): unknown;
  /** Writes what it holds; `done` once that is written (pino's logger.flush). */
  flush(done?: (err?: Error) => void): void;
  flushSync(): void;
}

/**
 * Collects pino's lines and hands them to the destination as one string per batch: BATCH_CHARS
 * characters, or whatever arrived within FLUSH_EVERY_MS of the first line waiting (a timer that
 * runs only while something waits). Per line it costs an array push; sonic-boom, given a line at a
 * time, would append it to its buffer string and measure that buffer's byte length again for
 * every line (a flatten and a scan of up to the batch size per line), and write(2) per 4 KB.
 */
export class LineBatcher {
  private lines: string[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: LineSink,
    private readonly batchChars = BATCH_CHARS,
    private readonly flushEveryMs = FLUSH_EVERY_MS,
  ) {}

  write(line: string): boolean {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.batchChars) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.flushEveryMs);
      this.timer.unref();
    }
    return true;
  }

  /**
   * Hands everything collected to the destination, which writes it asynchronously; with `done`
   * (pino's logger.flush), also asks the destination to write out and waits for that.
   */
  flush(done?: (err?: Error) => void): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.lines.length > 0) {
      const chunk = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
      this.lines = [];
      this.chars = 0;
      this.sink.write(chunk);
    }
    if (done) this.sink.flush(done);
  }

  /** Everything collected and everything the destination still holds, written before returning. */
  flushSync(): void {
    this.flush();
    this.sink.flushSync();
  }
}

/**
 * The process's logger: pino writing JSON lines to stdout through an asynchronous destination
 * (sonic-boom), fed in batches by a LineBatcher: under load one write(2), off the event loop,
 * carries a hundred lines or more, instead of one blocking write per line (measured: those writes
 * were ≈ 10 % of the server's CPU at a few thousand requests per second; one asynchronous write per
 * line cost as much again in thread hand-offs; 4 KB batches through sonic-boom's own buffer still
 * ≈ 5 % — BENCHMARKS.md). A line waits at most FLUSH_EVERY_MS. What is still buffered when the
 * process exits (shutdown, a fatal error, an uncaught exception) is written synchronously on the way out.
 */
export function createLogger(level: string, sink?: LineSink): Logger {
  const destination = sink ?? pino.destination({ dest: 1, sync: false });
  const batcher = new LineBatcher(destination);
  process.once('exit', () => {
    try {
      batcher.flushSync();
    } catch {
      // stdout already closed: nothing left to write to
    }
  });
  const logger = pino({ level }, batcher);
  plainLoggers.add(logger);
  return logger;
}

/** Loggers made by createLogger: no formatters, mixins, hooks or custom keys, so the access log may write its line itself. */
const plainLoggers = new WeakSet<Logger>();
const { lsCacheSym, timeSym, chindingsSym, endSym, streamSym } = pino.symbols;
const INFO = 30;

/** The parts of a pino logger (and of its request children) that a line is made of. */
interface LineParts {
  level: string;
  time: string;
  bindings: string;
  end: string;
  stream: { write(line: string): unknown };
}

function pinoParts(log: object): LineParts {
  if (log instanceof RequestLogger) return log.parts();
  const l = log as Record<symbol, unknown>;
  return {
    level: (l[lsCacheSym] as Record<number, string>)[INFO]!,
    time: (l[timeSym] as () => string)(),
    bindings: l[chindingsSym] as string,
    end: l[endSym] as string,
    stream: l[streamSym] as { write(line: string): unknown },
  };
}

/** What pino's log methods take: an object or message, then message and format arguments. */
type LogArgs = [unknown, ...unknown[]];

/**
 * A request's logger (`request.log`) that makes its pino child — `parent.child({ reqId })` —
 * only when something logs through it: most requests log nothing but their access line, which
 * AccessLog writes from the parent's parts and the same bindings (test/ops/logger.test.ts).
 * Whatever is logged through it is exactly what the child writes.
 */
export class RequestLogger implements FastifyBaseLogger {
  /** Methods on the prototype: one small object per request, no closures. */
  private made: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly childBindings: Record<string, unknown>,
  ) {}

  /** The pino child, made on first use. */
  private child_(): Logger {
    return (this.made ??= this.parent.child(this.childBindings));
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }
  set level(level: string) {
    this.child_().level = level;
  }
  fatal(...args: LogArgs): void {
    (this.child_().fatal as (...a: LogArgs) => void)(...args);
  }
  error(...args: LogArgs): void {
    (this.child_().error as (...a: LogArgs) => void)(...args);
  }
  warn(...args: LogArgs): void {
    (this.child_().warn as (...a: LogArgs) => void)(...args);
  }
  info(...args: LogArgs): void {
    (this.child_().info as (...a: LogArgs) => void)(...args);
  }
  debug(...args: LogArgs): void {
    (this.child_().debug as (...a: LogArgs) => void)(...args);
  }
  trace(...args: LogArgs): void {
    (this.child_().trace as (...a: LogArgs) => void)(...args);
  }
  silent(...args: LogArgs): void {
    (this.child_().silent as (...a: LogArgs) => void)(...args);
  }
  child(bindings: Record<string, unknown>, options?: Parameters<Logger['child']>[1]): FastifyBaseLogger {
    return this.child_().child(bindings, options);
  }
  isLevelEnabled(level: string): boolean {
    return (this.made ?? this.parent).isLevelEnabled(level);
  }
  bindings(): Record<string, unknown> {
    return this.child_().bindings();
  }

  /** The parts of the child's line (without making it if it was not made). */
  parts(): LineParts {
    if (this.made !== null) return pinoParts(this.made);
    const parts = pinoParts(this.parent);
    let bindings = parts.bindings;
    // pino's asChindings for plain values: ',"key":' + JSON of the value.
    for (const key in this.childBindings) {
      const value = this.childBindings[key];
      if (value !== undefined) bindings += ',' + JSON.stringify(key) + ':' + JSON.stringify(value);
    }
    parts.bindings = bindings;
    return parts;
  }
}

/**
 * Fastify's childLoggerFactory for a createLogger logger: a RequestLogger (the child made when
 * used); a route with its own log level or serializers gets its child at once, as by default.
 */
export function lazyChildLoggerFactory(
  this: unknown,
  logger: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  options: { level?: string; serializers?: unknown },
): FastifyBaseLogger {
  // Fastify's own logger is a child of the one it was given (with its serializers): either is plain.
  const plain = plainLoggers.has(logger as Logger) || plainLoggers.has(Object.getPrototypeOf(logger) as Logger);
  if (options.level !== undefined || options.serializers !== undefined || !plain) {
    return logger.child(bindings, options as Parameters<Logger['child']>[1]);
  }
  return new RequestLogger(logger as Logger, bindings);
}

/**
 * The access log: one line per request, when its response has gone out (Fastify's default writes
 * two, one on arrival with the request and one at the end). It carries the request id Fastify binds
 * to every request's logger (`reqId`, also sent as X-Request-Id), method, URL, status, the client
 * address and the time taken in ms; `request errored` at `error` level when the response failed.
 */
export class AccessLog extends LogController {
  /** Whether the request loggers are children of a createLogger logger (the fast line). */
  private readonly plain: boolean;

  constructor(
    root?: FastifyBaseLogger | false,
    /** Called for every finished request (or failed response) before its line is written: the HTTP metrics. */
    private readonly onFinished: ((request: FastifyRequest, reply: FastifyReply) => void) | null = null,
  ) {
    super();
    this.plain = typeof root === 'object' && plainLoggers.has(root as Logger);
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.onFinished !== null) this.onFinished(request, reply);
    if (!error && this.plain && (request.log as Logger).isLevelEnabled('info')) {
      // The line pino's request.log.info(fields, 'request completed') writes — level, time, the
      // child's bindings (pid, hostname, reqId), the fields in this order, msg — assembled
      // directly, without pino's walk over a fields object (test/ops/logger.test.ts compares them).
      const log = pinoParts(request.log);
      const ip = request.ip;
      log.stream.write(
        log.level +
          log.time +
          log.bindings +
          ',"method":' +
          JSON.stringify(request.method) +
          ',"url":' +
          JSON.stringify(request.url) +
          ',"statusCode":' +
          reply.statusCode +
          (ip === undefined ? '' : ',"remoteAddress":' + JSON.stringify(ip)) +
          ',"responseTime":' +
          finiteOrNull(reply.elapsedTime) +
          ',"msg":"request completed"' +
          log.end,
      );
      return;
    }
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

/** A number as pino writes it: non-finite ones as null. */
function finiteOrNull(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * The process-level safety net, the last line behind the per-handler guards (socket events,
 * timers, event-bus subscribers):
 *
 * - `unhandledRejection`: a promise nobody awaited failed. Logged with the reason; the process
 *   goes on (the failure happened inside one piece of asynchronous work, which has ended).
 *   Without this handler Node would turn it into an uncaught exception and exit at once.
 * - `uncaughtException`: something threw out of a callback. The process's state may be corrupt
 *   (a half-applied change to in-memory state), so it stops taking work: it is logged, the
 *   process drains (closes the listener, lets in-flight requests finish, closes the database)
 *   within the shutdown deadline, and exits with a non-zero code. Whatever restarts it — the
 *   cluster primary for a worker, a supervisor for a lone process — starts a clean one.
 */
export interface SafetyNetLogger {
  error(context: object, message: string): void;
  fatal(context: object, message: string): void;
}

export interface SafetyNetOptions {
  log: SafetyNetLogger;
  /** Drains and exits with the given code (the same path as SIGTERM, but non-zero). */
  shutdown: (reason: string, exitCode: number) => Promise<void> | void;
  /** Where it is installed (tests pass an EventEmitter). */
  target?: NodeJS.EventEmitter;
  /** Extra fields for every log line (process role, pid). */
  context?: object;
}

export const UNCAUGHT_EXIT_CODE = 70; // EX_SOFTWARE (sysexits.h): an internal software error

export function installSafetyNet({ log, shutdown, target = process, context = {} }: SafetyNetOptions): void {
  let crashing = false;
  target.on('unhandledRejection', (reason: unknown) => {
    try {
      log.error({ ...context, err: reason }, 'unhandled promise rejection (the process goes on)');
    } catch {
      // logging itself failed: nothing more to do
    }
  });
  target.on('uncaughtException', (err: Error, origin: string) => {
    try {
      log.fatal({ ...context, err, origin }, 'uncaught exception: draining and exiting (a fresh process takes over)');
    } catch {
      // logging itself failed: still drain and exit
    }
    if (crashing) return; // a second one while draining: the shutdown deadline still ends it
    crashing = true;
    void Promise.resolve()
      .then(() => shutdown('uncaughtException', UNCAUGHT_EXIT_CODE))
      .catch(() => process.exit(UNCAUGHT_EXIT_CODE));
  });
}

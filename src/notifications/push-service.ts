import type { FastifyBaseLogger } from 'fastify';
import { PgBoss, fromKysely, fromPglite, type Job } from 'pg-boss';
import type { DatabaseHandle } from '../db/database.js';
import { nextPicksAt, type DailyPicks } from './daily-picks.js';
import { deleteDevice } from './devices.repo.js';
import { claimOutbox, liveDevicesOf, pruneDeliveries, recordDelivery, sendContext, wasDelivered } from './outbox.repo.js';
import type { PushPlatform, PushProvider, PushTarget } from './providers/types.js';
import { deliveryIdOf, renderPush, type PushJob } from './push-texts.js';

/** Waits between tries to record a delivered push (see PushService.remember). */
const RECORD_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

export const SEND_QUEUE = 'push-send';
const RELAY_QUEUE = 'push-relay';
const PRUNE_QUEUE = 'push-prune';
export const DAILY_PREBUILD_QUEUE = 'push-daily-prebuild';
export const DAILY_BUILD_QUEUE = 'push-daily-build';
export const DAILY_PICKS_QUEUE = 'push-daily-picks';
/** Build jobs are spread over this much of the hour before the picks hour. */
const PREBUILD_SPREAD_SECONDS = 55 * 60;
/** How long a kick waits before relaying (so one transaction takes a burst of rows). */
const SEND_BATCH = 16;
const RELAY_GATHER_MS = 20;
/** Outbox rows one relay transaction moves. */
const RELAY_BATCH = 200;
/** Delivered pairs are remembered this long: longer than the whole retry schedule. */
const DELIVERY_MEMORY_SECONDS = 24 * 3600;

export interface RetryPolicy {
  /** First retry after this many seconds; each further one waits twice as long … */
  baseSeconds: number;
  /** … up to this long. */
  maxDelaySeconds: number;
  /** Tries in all (the first one included) before a push is given up. */
  attempts: number;
}

/** 30 s, 1, 2, 4, 8, 16 min, then every 30 min: the 10th and last try comes about 2 hours after the first. */
export const DEFAULT_RETRY: RetryPolicy = { baseSeconds: 30, maxDelaySeconds: 1800, attempts: 10 };

/** Seconds before retry number `attempt + 1`: exponential backoff, or the provider's Retry-After if that is longer. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  const backoff = Math.min(policy.maxDelaySeconds, policy.baseSeconds * 2 ** attempt);
  return Math.max(backoff, Math.min(retryAfterSeconds ?? 0, 24 * 3600));
}

export interface PushServiceOptions {
  database: DatabaseHandle;
  providers: readonly PushProvider[];
  /** Whether any socket of the user is connected, on any process (new_message goes to offline people only). */
  isOnline: (userId: number) => Promise<boolean>;
  log: FastifyBaseLogger;
  /** Run the send workers here (false: only queue; `npm run worker` sends). */
  work: boolean;
  concurrency: number;
  retry?: RetryPolicy;
  /** How often an idle worker looks for due jobs. */
  pollingIntervalSeconds?: number;
  /** The daily_picks push (scheduled where workers run). */
  dailyPicks?: DailyPicks;
}

export interface PushCounters {
  delivered: number;
  gone: number;
  rejected: number;
  retried: number;
  skipped: number;
}

/**
 * Push delivery over pg-boss, a maintained job queue in PostgreSQL (see docs/internals.md for why
 * pg-boss): it runs on PostgreSQL and, through its PGlite adapter, on the embedded database, so
 * both deployments share one code path.
 *
 * 1. The relay moves outbox rows (outbox.repo.ts) into one `push-send` job per live device, and
 *    deletes the rows, in one transaction (`insert` through the same Kysely transaction): a row is
 *    queued exactly once. It runs when this process wrote a row (`kick`) and every minute (rows
 *    written by a process that died before kicking).
 * 2. Workers (any number of processes) fetch jobs with SKIP LOCKED, so no job runs twice at once.
 *    A job first looks at `push_deliveries`: a pair already delivered (the worker died after
 *    sending, before completing the job) is not sent again. Then it reads what the push needs at
 *    this moment (a block or a suspension since the event cancels it; a new_message whose
 *    recipient is connected now is not sent), sends, and acts on the provider's outcome:
 *    delivered → remembered; gone → the device is deleted; retry → a follow-up job after the
 *    backoff (or Retry-After); rejected → logged. A worker that crashes mid-job leaves the job to
 *    expire, and pg-boss retries it.
 */
export class PushService {
  readonly counters: PushCounters = { delivered: 0, gone: 0, rejected: 0, retried: 0, skipped: 0 };
  private readonly providers: Map<PushPlatform, PushProvider>;
  private readonly retry: RetryPolicy;
  private relaying = false;
  private relayAgain = false;
  private relayDone: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: PushServiceOptions,
  ) {
    this.providers = new Map(options.providers.map((p) => [p.platform, p]));
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  static async start(options: PushServiceOptions): Promise<PushService> {
    const { database } = options;
    const boss = database.embedded
      ? new PgBoss({ db: fromPglite(database.embedded as never), backend: 'pglite', schema: 'pgboss', schedule: options.work, supervise: options.work })
      : new PgBoss({ connectionString: database.connectionString ?? '', max: 3, schema: 'pgboss', schedule: options.work, supervise: options.work });
    boss.on('error', (err) => options.log.error({ err }, 'push queue error'));
    await boss.start();
    await boss.createQueue(SEND_QUEUE, {
      // Crashes and database errors inside a job (not provider answers: those are scheduled here).
      retryLimit: 5,
      retryDelay: 30,
      retryBackoff: true,
      expireInSeconds: 120,
      deleteAfterSeconds: 7 * 86_400,
    });
    await boss.createQueue(RELAY_QUEUE, { policy: 'singleton', retryLimit: 0, expireInSeconds: 120 });
    await boss.createQueue(PRUNE_QUEUE, { policy: 'singleton', retryLimit: 0, expireInSeconds: 600 });
    // Loads the queue into pg-boss's cache now: later inserts run inside our transactions, and on
    // the single-connection PGlite a cache miss there would wait for the connection it holds.
    await boss.insert(SEND_QUEUE, []);
    const service = new PushService(boss, options);
    if (options.work) {
      const polling = options.pollingIntervalSeconds ?? 1;
      // Batches of 16, fetched back to back while batches come back full: one job per poll with
      // a 1 s wait between polls sent 4 pushes/s per worker process (bench push).
      await boss.work<PushJob>(SEND_QUEUE, { localConcurrency: options.concurrency, pollingIntervalSeconds: polling, batchSize: SEND_BATCH, burstWhenBatchFull: true }, (jobs) =>
        service.sendJobs(jobs),
      );
      await boss.work(RELAY_QUEUE, { pollingIntervalSeconds: 5 }, () => service.relayAll());
      await boss.work(PRUNE_QUEUE, { pollingIntervalSeconds: 30 }, () => pruneDeliveries(database.db, DELIVERY_MEMORY_SECONDS));
      await boss.schedule(RELAY_QUEUE, '* * * * *');
      await boss.schedule(PRUNE_QUEUE, '17 * * * *');
      const picks = options.dailyPicks;
      if (picks) {
        for (const name of [DAILY_PREBUILD_QUEUE, DAILY_PICKS_QUEUE]) await boss.createQueue(name, { policy: 'singleton', retryLimit: 2, expireInSeconds: 1800 });
        await boss.createQueue(DAILY_BUILD_QUEUE, { retryLimit: 2, retryDelay: 30, expireInSeconds: 300 });
        await boss.work(DAILY_PREBUILD_QUEUE, { pollingIntervalSeconds: 10 }, () => service.prebuildDailySets(new Date()));
        await boss.work<{ userId: number; at: string }>(DAILY_BUILD_QUEUE, { localConcurrency: 2, pollingIntervalSeconds: 2 }, async (jobs) => {
          for (const job of jobs) await picks.build(job.data.userId, new Date(job.data.at));
        });
        await boss.work(DAILY_PICKS_QUEUE, { pollingIntervalSeconds: 10 }, () => service.sendDailyPicks(new Date()));
        // Korean time has no daylight saving: the hour before is simply hour − 1 (mod 24).
        await boss.schedule(DAILY_PREBUILD_QUEUE, `0 ${(picks.hour + 23) % 24} * * *`, null, { tz: 'Asia/Seoul' });
        await boss.schedule(DAILY_PICKS_QUEUE, `0 ${picks.hour} * * *`, null, { tz: 'Asia/Seoul' });
      }
    }
    service.kick();
    return service;
  }

  /**
   * The hour before the picks: one build job per person who will need a set, each at a random
   * moment of the hour, for the Korean date of the coming picks hour.
   */
  async prebuildDailySets(now: Date): Promise<number> {
    const picks = this.options.dailyPicks;
    if (!picks) return 0;
    const at = nextPicksAt(now, picks.hour);
    const spread = Math.max(0, Math.min(PREBUILD_SPREAD_SECONDS, (at.getTime() - now.getTime()) / 1000 - 60));
    const people = await picks.peopleToPrepare(at);
    const jobs = people.map((userId) => ({
      data: { userId, at: at.toISOString() },
      startAfter: new Date(now.getTime() + Math.floor(Math.random() * spread * 1000)),
      singletonKey: `${userId}:${at.toISOString()}`,
    }));
    if (jobs.length > 0) await this.boss.insert(DAILY_BUILD_QUEUE, jobs);
    return jobs.length;
  }

  /** The picks hour: outbox rows for everyone whose set is ready, then relay them. */
  async sendDailyPicks(now: Date): Promise<number> {
    const picks = this.options.dailyPicks;
    if (!picks) return 0;
    const n = await picks.enqueue(now);
    if (n > 0) this.kick();
    return n;
  }

  /** Something wrote outbox rows: relay them soon (coalesced; one relay at a time per process). */
  kick(): void {
    if (this.stopped) return;
    if (this.relaying) {
      this.relayAgain = true;
      return;
    }
    this.relaying = true;
    this.relayDone = new Promise((resolve) => {
      // A short wait gathers the rows of a burst into one relay transaction.
      setTimeout(() => {
        this.relayAll()
          .catch((err: unknown) => this.options.log.warn({ err }, 'push relay failed; the minute relay retries'))
          .finally(() => {
            this.relaying = false;
            resolve();
            if (this.relayAgain) {
              this.relayAgain = false;
              this.kick();
            }
          });
      }, RELAY_GATHER_MS);
    });
  }

  /** Relays until the outbox is empty; returns how many rows it moved. */
  async relayAll(): Promise<number> {
    let moved = 0;
    for (;;) {
      const n = await this.relayOnce();
      moved += n;
      if (n < RELAY_BATCH || this.stopped) return moved;
    }
  }

  /** One transaction: claim outbox rows, queue a job per (row, live device), delete the rows. */
  async relayOnce(): Promise<number> {
    return this.options.database.db.transaction().execute(async (trx) => {
      const rows = await claimOutbox(trx, RELAY_BATCH);
      if (rows.length === 0) return 0;
      const devices = await liveDevicesOf(trx, rows.map((r) => r.user_id));
      const jobs = rows.flatMap((r) =>
        devices
          .filter((d) => d.user_id === r.user_id)
          .map((d) => {
            const data: PushJob = {
              outboxId: r.id,
              deviceId: d.id,
              userId: r.user_id,
              kind: r.kind,
              aboutUserId: r.about_user_id,
              matchId: r.match_id,
              chatId: r.chat_id,
              messageId: r.message_id,
              attempt: 0,
            };
            return { data, singletonKey: `${r.id}:${d.id}:0` };
          }),
      );
      if (jobs.length > 0) await this.boss.insert(SEND_QUEUE, jobs, { db: fromKysely(trx) });
      return rows.length;
    });
  }

  /**
   * A batch's pushes go out together. If any fails (a crash or database error, not a provider
   * answer: those are handled in sendOne), the batch fails and pg-boss retries it; the ones that
   * were delivered are recorded and skipped on the retry.
   */
  private async sendJobs(jobs: Job<PushJob>[]): Promise<void> {
    const results = await Promise.allSettled(jobs.map((job) => this.sendOne(job.data)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** One (notification, device) push; see the class comment for each step. */
  async sendOne(job: PushJob): Promise<'delivered' | 'gone' | 'rejected' | 'retry' | 'skipped'> {
    const db = this.options.database.db;
    if (await wasDelivered(db, job.outboxId, job.deviceId)) return this.count('skipped');
    const context = await sendContext(db, job);
    if (!context || !context.aboutAllowed) return this.count('skipped');
    if (job.kind === 'new_message') {
      if (context.messageContent === null) return this.count('skipped');
      if (await this.options.isOnline(job.userId)) return this.count('skipped');
    }
    const provider = this.providers.get(context.platform);
    if (!provider) {
      this.options.log.warn({ platform: context.platform, deviceId: job.deviceId }, 'no push provider configured for this platform');
      return this.count('rejected');
    }
    const target: PushTarget =
      context.platform === 'web'
        ? { platform: 'web', endpoint: context.token, keys: { p256dh: context.p256dh ?? '', auth: context.auth ?? '' } }
        : { platform: context.platform, token: context.token };
    const result = await provider.send(target, renderPush(job, context));
    switch (result.outcome) {
      case 'delivered':
        await this.remember(job);
        return this.count('delivered');
      case 'gone':
        await deleteDevice(db, job.deviceId);
        return this.count('gone');
      case 'rejected':
        this.options.log.warn({ deviceId: job.deviceId, kind: job.kind, error: result.error }, 'push rejected');
        return this.count('rejected');
      case 'retry': {
        const next = job.attempt + 1;
        if (next >= this.retry.attempts) {
          this.options.log.warn({ deviceId: job.deviceId, kind: job.kind, error: result.error }, 'push given up after the last retry');
          return this.count('rejected');
        }
        const delay = retryDelaySeconds(this.retry, job.attempt, result.retryAfterSeconds);
        await this.boss.send(SEND_QUEUE, { ...job, attempt: next }, { startAfter: delay, singletonKey: `${job.outboxId}:${job.deviceId}:${next}` });
        return this.count('retry');
      }
    }
  }

  /**
   * Records a push the provider took. The phone already has it: if the record failed at once (the
   * database restarting), the job would fail, run again and push a second time. So the record is
   * retried for a while (RECORD_RETRY_DELAYS_MS, ≈ 15 s in all) before the job gives up.
   */
  private async remember(job: PushJob): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await recordDelivery(this.options.database.db, job.outboxId, job.deviceId);
        return;
      } catch (error) {
        const delay = RECORD_RETRY_DELAYS_MS[attempt];
        if (delay === undefined) throw error;
        this.options.log.warn({ err: error, deviceId: job.deviceId, kind: job.kind }, 'push delivered but not yet recorded; retrying the record');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private count(outcome: 'delivered' | 'gone' | 'rejected' | 'retry' | 'skipped') {
    if (outcome === 'retry') this.counters.retried++;
    else this.counters[outcome]++;
    return outcome;
  }

  /** The stable delivery id a push of this pair carries (tests and logs). */
  static deliveryId(outboxId: number, deviceId: number): string {
    return deliveryIdOf(outboxId, deviceId);
  }

  /** For tests: waits for the relay started by the last kick. */
  async relayed(): Promise<void> {
    await this.relayDone;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.relayDone;
    await this.boss.stop({ graceful: true, timeout: 5000, close: true });
    await Promise.all(this.options.providers.map((p) => p.close()));
  }
}

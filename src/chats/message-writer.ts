import type { Db } from '../db/database.js';
import type { StoredMessage } from './chat-delivery.js';
import { appendMessages, type AppendOutcome, type MessageDraft } from './messages.repo.js';

/** A draft waiting for its transaction, and who hears the outcome (after the commit). Neither
 * callback may throw: they run inside the writer's loop. */
export interface AppendWaiter {
  readonly draft: MessageDraft;
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}
type Pending = AppendWaiter;

/** PostgreSQL data exceptions (22xxx) and constraint violations (23xxx): this input's fault. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export interface MessageWriterOptions {
  /** Most drafts stored by one transaction. */
  maxBatch: number;
}

/**
 * Group commit for chat messages. An idle writer starts a transaction at once (on the next turn of
 * the event loop, so the sends that arrived in the same I/O burst go together); while that
 * transaction runs, new sends queue up and are stored together by the next one. Under light load
 * every message is its own transaction with no added wait; under heavy load one transaction (one
 * multi-row INSERT and one fsync) carries many messages. One transaction at a time per process
 * keeps this process's commits in id order.
 *
 * After each commit the waiting senders are answered first, then `onStored` receives the new
 * messages in id order for fan-out ("stored, then acknowledged, then fanned out").
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly onStored: (messages: StoredMessage[]) => void,
    private readonly options: MessageWriterOptions = { maxBatch: 500 },
  ) {}

  append(draft: MessageDraft): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => this.enqueue({ draft, resolve, reject }));
  }

  /** `append` for a hot path: the waiter hears the outcome, with no promise per message. */
  enqueue(waiter: AppendWaiter): void {
    this.queue.push(waiter);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.run());
    }
  }

  /** Resolves once every queued message has been stored or refused (for shutdown). */
  async drain(): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      await this.store(batch);
    }
    this.running = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async store(batch: Pending[]): Promise<void> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = await appendMessages(this.db, batch.map((p) => p.draft));
    } catch (error) {
      if (batch.length === 1 || !isDataError(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      // One bad message must not fail the others that shared its transaction: store each alone.
      // (Only for data errors: after a lost connection the batch may have committed, and a
      // retry would store again the messages that carry no client_msg_id.)
      for (const pending of batch) await this.store([pending]);
      return;
    }
    const stored: StoredMessage[] = [];
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      batch[i]!.resolve(outcome);
      if (outcome.kind === 'stored') stored.push(outcome.message);
    }
    stored.sort((a, b) => a.id - b.id);
    // After the acks: a waiter's at once above, a promise's in the reactions that run before this.
    if (stored.length > 0) setImmediate(() => this.onStored(stored));
  }
}

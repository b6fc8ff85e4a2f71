/**
 * Puts each chat's messages back in message id order before they reach this process's sockets,
 * without gaps.
 *
 * Why: messages of one chat can be stored by different processes (the two members, or one
 * member's two devices, on different nodes). The database makes their ids follow commit order
 * (the writer locks the chat), but the fan-out of process A can still reach process C after the
 * fan-out of process B's later message. Each message therefore carries its chat's previous
 * message id (read under the chat's lock), and a message is delivered only once its predecessor
 * has been.
 *
 * A predecessor that does not show up within `waitMs` may never come: its process died between
 * commit and fan-out, Redis was down, or its store failed after the commit and a retry acked it
 * as a duplicate (duplicates are not fanned out). A client that is connected all along would
 * never catch that message up — `after=` starts from the newest message it holds — so the
 * sequencer reads the missing messages from the database (`fill`) and delivers them, in id order,
 * before the held ones (found by `npm run test:chaos`). When the database does not answer either,
 * it retries `fillAttempts` times, then delivers what it holds in id order.
 */
export interface Sequenced {
  id: number;
  chatId: number;
  prevId: number | null;
  /** The predecessor was stored recently enough that it may still be on its way. */
  prevRecent: boolean;
}

/** The chat's stored messages with afterId < id < beforeId, oldest first. */
export type GapFill<T> = (chatId: number, afterId: number, beforeId: number) => Promise<T[]>;

/** Ids delivered lately per chat: a fan-out that arrives after a fill delivered it is dropped. */
const RECENT_IDS = 64;

interface Line<T> {
  /** Newest id delivered here, or null when this process has not seen the chat settle yet. */
  last: number | null;
  pending: Map<number, T>;
  timer: NodeJS.Timeout | null;
  touchedAt: number;
  /** A database read for a gap is in flight: arrivals wait until it is applied. */
  filling: boolean;
  failedFills: number;
  recent: number[];
}

export interface SequencerOptions {
  waitMs: number;
  /** Chats idle this long are forgotten (must exceed the "recent" window of the writer). */
  idleMs: number;
  /** Database reads tried for one gap (waitMs apart) before giving up on it. */
  fillAttempts?: number;
  /**
   * Where a failure of `deliver` or of a timer's work goes (logged by the caller). Guarded here so
   * that no failure of one delivery escapes into a timer or an adapter callback (where it would be
   * uncaught and end the process) or stops the rest of the chat's line.
   */
  onError?: (error: unknown, chatId: number) => void;
}

export class DeliverySequencer<T extends Sequenced> {
  private readonly lines = new Map<number, Line<T>>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly options: SequencerOptions = { waitMs: 250, idleMs: 30_000 },
    private readonly fill?: GapFill<T>,
  ) {
    this.sweeper = setInterval(() => {
      try {
        this.sweep();
      } catch (error) {
        this.failed(error, 0);
      }
    }, options.idleMs);
    this.sweeper.unref();
  }

  accept(item: T): void {
    let line = this.lines.get(item.chatId);
    if (!line) {
      line = { last: null, pending: new Map(), timer: null, touchedAt: Date.now(), filling: false, failedFills: 0, recent: [] };
      this.lines.set(item.chatId, line);
    }
    line.touchedAt = Date.now();
    if (line.last !== null && item.id <= line.last) {
      // Delivered already by a fill, or released without its predecessor: late, but not lost.
      if (!line.recent.includes(item.id)) this.safeDeliver(item);
      return;
    }
    const ready = !line.filling && (item.prevId === null || (line.last === null ? !item.prevRecent : item.prevId <= line.last));
    if (!ready) {
      line.pending.set(item.id, item);
      if (!line.filling) this.arm(item.chatId, line);
      return;
    }
    this.emit(line, item);
    this.drain(line);
  }

  /** Number of messages held back (for tests and metrics). */
  get held(): number {
    let n = 0;
    for (const line of this.lines.values()) n += line.pending.size;
    return n;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const line of this.lines.values()) this.flush(line);
    this.lines.clear();
  }

  private arm(chatId: number, line: Line<T>): void {
    line.timer ??= setTimeout(() => {
      this.release(chatId).catch((error: unknown) => this.failed(error, chatId));
    }, this.options.waitMs);
  }

  private safeDeliver(item: T): void {
    try {
      this.deliver(item);
    } catch (error) {
      this.failed(error, item.chatId);
    }
  }

  private failed(error: unknown, chatId: number): void {
    try {
      this.options.onError?.(error, chatId);
    } catch {
      // the error reporter itself failed: nothing more to do
    }
  }

  private emit(line: Line<T>, item: T): void {
    line.last = Math.max(line.last ?? 0, item.id);
    line.recent.push(item.id);
    if (line.recent.length > RECENT_IDS) line.recent.shift();
    this.safeDeliver(item);
  }

  /** Delivers held messages whose predecessor has now been delivered, lowest id first. */
  private drain(line: Line<T>): void {
    while (line.pending.size > 0) {
      let next: T | undefined;
      for (const item of line.pending.values()) {
        const ready = item.prevId === null || (line.last !== null && item.prevId <= line.last);
        if (ready && (!next || item.id < next.id)) next = item;
      }
      if (!next) break;
      line.pending.delete(next.id);
      this.emit(line, next);
    }
    if (line.pending.size === 0 && line.timer) {
      clearTimeout(line.timer);
      line.timer = null;
    }
  }

  /** Delivers everything held in id order, as complete as it is (no database, or shutdown). */
  private flush(line: Line<T>, upTo = Infinity): void {
    if (line.timer) clearTimeout(line.timer);
    line.timer = null;
    const held = [...line.pending.values()].filter((item) => item.id <= upTo).sort((a, b) => a.id - b.id);
    for (const item of held) {
      line.pending.delete(item.id);
      this.emit(line, item);
    }
  }

  /** The wait is over: reads what is missing before the held messages, then delivers in order. */
  private async release(chatId: number): Promise<void> {
    const line = this.lines.get(chatId);
    if (!line || line.filling) return;
    line.timer = null;
    if (line.pending.size === 0) return;
    if (!this.fill) return this.flush(line);
    const held = [...line.pending.values()].sort((a, b) => a.id - b.id);
    // Unknown start (a chat this process has not seen settle): from the first held predecessor.
    const after = line.last ?? (held[0]!.prevId ?? held[0]!.id) - 1;
    const before = held.at(-1)!.id;
    line.filling = true;
    let missing: T[];
    try {
      missing = await this.fill(chatId, after, before);
    } catch {
      line.filling = false;
      if (this.closed) return;
      this.drain(line); // arrivals during the read that need no fill
      if (++line.failedFills < (this.options.fillAttempts ?? 8)) return this.arm(chatId, line);
      line.failedFills = 0;
      return this.flush(line);
    }
    line.filling = false;
    if (this.closed) return;
    line.failedFills = 0;
    for (const item of missing) {
      if (line.last !== null && item.id <= line.last) continue;
      line.pending.delete(item.id);
      this.emit(line, item);
    }
    this.drain(line);
    // Whatever the read could not connect (a message deleted meanwhile) goes out anyway; only
    // messages that arrived during the read may still wait.
    this.flush(line, before);
    if (line.pending.size > 0) this.arm(chatId, line);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [chatId, line] of this.lines) {
      if (line.touchedAt < cutoff && line.pending.size === 0 && !line.filling) this.lines.delete(chatId);
    }
  }
}

/**
 * Puts each chat's messages back in message id order before they reach this process's sockets.
 *
 * Why: messages of one chat can be stored by different processes (the two members, or one
 * member's two devices, on different nodes). The database makes their ids follow commit order
 * (the writer locks the chat), but the fan-out of process A can still reach process C after the
 * fan-out of process B's later message. Each message therefore carries its chat's previous
 * message id (read under the chat's lock), and a message is delivered only once its predecessor
 * has been, or when the predecessor cannot be in flight any more.
 *
 * A predecessor that never shows up (its process died between commit and fan-out) holds its
 * successors back for at most `waitMs`; they are then delivered in id order. The database stays
 * the guarantee: a client that missed something catches up with `after=`.
 */
export interface Sequenced {
  id: number;
  chatId: number;
  prevId: number | null;
  /** The predecessor was stored recently enough that it may still be on its way. */
  prevRecent: boolean;
}

interface Line<T> {
  /** Newest id delivered here, or null when this process has not seen the chat settle yet. */
  last: number | null;
  pending: Map<number, T>;
  timer: NodeJS.Timeout | null;
  touchedAt: number;
}

export interface SequencerOptions {
  waitMs: number;
  /** Chats idle this long are forgotten (must exceed the "recent" window of the writer). */
  idleMs: number;
}

export class DeliverySequencer<T extends Sequenced> {
  private readonly lines = new Map<number, Line<T>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly options: SequencerOptions = { waitMs: 250, idleMs: 30_000 },
  ) {
    this.sweeper = setInterval(() => this.sweep(), options.idleMs);
    this.sweeper.unref();
  }

  accept(item: T): void {
    let line = this.lines.get(item.chatId);
    if (!line) {
      line = { last: null, pending: new Map(), timer: null, touchedAt: Date.now() };
      this.lines.set(item.chatId, line);
    }
    line.touchedAt = Date.now();
    const ready = item.prevId === null || (line.last === null ? !item.prevRecent : item.prevId <= line.last);
    if (line.last !== null && item.id <= line.last) {
      this.deliver(item); // arrived after its successors were released by the timeout
      return;
    }
    if (!ready) {
      line.pending.set(item.id, item);
      line.timer ??= setTimeout(() => this.release(item.chatId), this.options.waitMs);
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
    clearInterval(this.sweeper);
    for (const chatId of [...this.lines.keys()]) this.release(chatId);
    this.lines.clear();
  }

  private emit(line: Line<T>, item: T): void {
    line.last = Math.max(line.last ?? 0, item.id);
    this.deliver(item);
  }

  /** Delivers held messages whose predecessor has now been delivered, lowest id first. */
  private drain(line: Line<T>): void {
    for (;;) {
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

  /** Gives up waiting: delivers everything held for the chat in id order. */
  private release(chatId: number): void {
    const line = this.lines.get(chatId);
    if (!line) return;
    if (line.timer) clearTimeout(line.timer);
    line.timer = null;
    const held = [...line.pending.values()].sort((a, b) => a.id - b.id);
    line.pending.clear();
    for (const item of held) this.emit(line, item);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [chatId, line] of this.lines) {
      if (line.touchedAt < cutoff && line.pending.size === 0) this.lines.delete(chatId);
    }
  }
}

/**
 * The model the run is checked against, kept by the simulated clients: every message they
 * created (its idempotency key, chat, sender and text), every acknowledgement they got for it,
 * and every read mark the server confirmed. The database and the clients' holdings are compared
 * with this at the end.
 */
export interface LoggedMessage {
  key: string;
  chatId: number;
  senderId: number;
  content: string;
  /** Milliseconds since the run started. */
  createdAt: number;
  /** Every message_id an ok acknowledgement named for this key (more than one: a duplicate). */
  ackedIds: Set<number>;
  attempts: number;
  /** A permanent refusal (not a member, blocked, invalid): never expected here. */
  refused: string | null;
}

export class Ledger {
  readonly messages = new Map<string, LoggedMessage>();
  /** Confirmed read marks by `${userId}:${chatId}`: the mark only moves forward. */
  readonly readMarks = new Map<string, number>();
  retries = 0;
  transientErrors = 0;
  restSends = 0;
  private sequence = 0;

  /** `startedAt`: the run's clock, so that message times line up with the fault log. */
  constructor(private readonly startedAt = Date.now()) {}

  create(chatId: number, senderId: number): LoggedMessage {
    const key = `c${senderId}-${++this.sequence}`;
    // Unique text per message: a message stored twice shows up as two rows with the same text.
    const message: LoggedMessage = { key, chatId, senderId, content: `${key} 안녕하세요 사주 궁합 ✨`, createdAt: Date.now() - this.startedAt, ackedIds: new Set(), attempts: 0, refused: null };
    this.messages.set(key, message);
    return message;
  }

  acked(key: string, messageId: number): void {
    this.messages.get(key)!.ackedIds.add(messageId);
  }

  readConfirmed(userId: number, chatId: number, messageId: number): void {
    const k = `${userId}:${chatId}`;
    this.readMarks.set(k, Math.max(this.readMarks.get(k) ?? 0, messageId));
  }
}

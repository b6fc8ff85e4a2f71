import { EventEmitter } from 'node:events';

export interface PersonSummary {
  user_id: number;
  name: string;
  profile_img_url: string | null;
}

/**
 * In-process domain events, published after the transaction that caused them commits. Features
 * publish; the real-time layer subscribes (and relays them to sockets on every process), so no
 * service knows about sockets. Payloads carry what the socket events need.
 */
export interface DomainEvents {
  /** To the receiver: contract event `matchRequested`. */
  matchRequested: {
    matchId: number;
    receiverId: number;
    requester: PersonSummary & { age: number };
    compatibilityScore: number;
  };
  /** To the original requester: contract event `matchAccepted` (partner = the one who accepted). */
  matchAccepted: { matchId: number; chatId: number; requesterId: number; receiverId: number; partner: PersonSummary };
  sessionRevoked: { sessionId: number; userId: number };
  /** Every session of the user but `exceptSessionId` (null: all) was revoked: password change,
   * log out everywhere, suspension or ban. */
  userSessionsRevoked: { userId: number; exceptSessionId: number | null };
  userDeleted: { userId: number };
  /** Either of two people blocked the other. */
  userBlocked: { blockerId: number; blockedId: number };
}

export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  publish<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
    // Each listener is guarded where it is subscribed: a failing subscriber neither fails the
    // request that already committed nor keeps the other subscribers from hearing the event.
    this.emitter.emit(name, payload);
  }

  /**
   * Subscribes `listener`. Whatever it throws — or the promise it returns rejects with — goes to
   * the subscriber-error handlers (logged), never out of `publish` and never unhandled.
   */
  subscribe<K extends keyof DomainEvents>(name: K, listener: (payload: DomainEvents[K]) => unknown): () => void {
    const guarded = (payload: DomainEvents[K]) => {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.failed(name, error));
      } catch (error) {
        this.failed(name, error);
      }
    };
    this.emitter.on(name, guarded);
    return () => this.emitter.off(name, guarded);
  }

  private failed(event: string, error: unknown): void {
    try {
      this.emitter.emit('subscriberError', error, event);
    } catch {
      // an error handler that throws has nowhere left to report to
    }
  }

  onSubscriberError(listener: (error: unknown, event: string) => void): void {
    this.emitter.on('subscriberError', listener);
  }
}

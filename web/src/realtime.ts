// One Socket.IO connection per signed-in tab, as a mobile app keeps one. The handshake reads the
// access token at each (re)connection attempt, so a refreshed token is used automatically.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../client/index.js';
import { session } from './api.js';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'online' | 'offline';
type Events = ServerToClientEvents;

class Realtime {
  private socket: AppSocket | null = null;
  private readonly handlers = new Map<keyof Events, Set<(...args: never[]) => void>>();
  private readonly connectListeners = new Set<() => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  state: ConnectionState = 'offline';

  start(): void {
    if (this.socket) return;
    const socket: AppSocket = io(location.origin, {
      auth: (cb) => cb({ token: session.accessToken ?? '' }),
      // Clustered servers speak WebSocket only (README "Running at scale"); so does this client.
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 8000,
    });
    this.socket = socket;
    this.setState('connecting');
    for (const [event, fns] of this.handlers) for (const fn of fns) socket.on(event, fn as never);
    socket.on('connect', () => {
      this.failures = 0;
      this.setState('online');
      // After any (re)connection: screens catch up on what they missed (GET …?after=).
      for (const fn of this.connectListeners) fn();
    });
    socket.on('disconnect', (reason) => {
      this.setState('offline');
      // The server ends a socket when its access token expires or its session is revoked; it does
      // not come back by itself. A refresh tells which: a new token reconnects, a 401 logs out.
      if (reason === 'io server disconnect') void this.recover();
    });
    socket.on('connect_error', (error) => {
      this.setState(socket.active ? 'connecting' : 'offline');
      if (socket.active) return; // a network failure: Socket.IO retries by itself
      // Refused by the server: an expired token is refreshed first; anything else ("Service
      // unavailable" while the database restarts) is tried again with a growing delay.
      if (error.message === 'Unauthorized' && this.failures < 2) {
        this.failures += 1;
        void this.recover();
      } else {
        this.retryLater(socket);
      }
    });
  }

  private failures = 0;

  private retryLater(socket: AppSocket): void {
    this.failures += 1;
    const delay = Math.min(8000, 500 * 2 ** Math.min(this.failures, 4)) * (0.75 + Math.random() / 2);
    setTimeout(() => {
      if (this.socket === socket && !socket.connected && !socket.active) {
        this.setState('connecting');
        socket.connect();
      }
    }, delay);
  }

  private async recover(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    if (await session.refresh()) {
      if (this.socket === socket && !socket.connected) {
        this.setState('connecting');
        socket.connect();
      }
    } else if (session.signedIn) {
      // Offline, the token is still ours: try again shortly.
      setTimeout(() => void this.recover(), 3000);
    }
  }

  stop(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.setState('offline');
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** The live socket, for emits (null while signed out). */
  get current(): AppSocket | null {
    return this.socket;
  }

  on<E extends keyof Events>(event: E, fn: Events[E]): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn as never);
    this.socket?.on(event, fn as never);
    return () => {
      set.delete(fn as never);
      this.socket?.off(event, fn as never);
    };
  }

  /** Runs after every connection, the first and each reconnect. */
  onConnect(fn: () => void): () => void {
    this.connectListeners.add(fn);
    return () => this.connectListeners.delete(fn);
  }

  onState(fn: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const fn of this.stateListeners) fn(state);
  }
}

export const realtime = new Realtime();

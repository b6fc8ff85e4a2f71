import { io, type Socket } from 'socket.io-client';

/** Socket.IO test clients: every client made here is closed by closeSockets(). */
const open = new Set<Socket>();

export interface ConnectOptions {
  transports?: ('polling' | 'websocket')[];
  auth?: Record<string, unknown>;
}

/** A connected client (rejects with the connect_error). */
export function connect(baseUrl: string, token: string | undefined, options: ConnectOptions = {}): Promise<Socket> {
  const socket = io(baseUrl, {
    auth: options.auth ?? (token === undefined ? {} : { token }),
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  open.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export async function closeSockets(): Promise<void> {
  for (const socket of open) socket.close();
  open.clear();
}

/** The next `event` on the socket, or a rejection after `timeoutMs`. */
export function nextEvent<T = any>(socket: Socket, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, listener);
  });
}

/** Everything the socket receives as `event` from now on. */
export function record<T = any>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Emits with an acknowledgement and resolves with the ack (rejects after `timeoutMs`). */
export function request<T = any>(socket: Socket, event: string, ...args: unknown[]): Promise<T> {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<T>;
}

/** Polls until `check` passes (or throws its last failure after `timeoutMs`). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Resolves when the socket is disconnected by the server, with the reason. */
export function disconnected(socket: Socket, timeoutMs = 10_000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return nextEvent<string>(socket, 'disconnect', timeoutMs);
}

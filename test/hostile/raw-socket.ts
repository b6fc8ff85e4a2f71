import type { Socket } from 'socket.io-client';

let nextId = 100_000;

interface Engine {
  write(data: string): void;
  on(event: 'message', listener: (data: unknown) => void): void;
  off(event: 'message', listener: (data: unknown) => void): void;
}

/**
 * Emits `event` with a payload given as raw JSON text, exactly as an attacker's client would put
 * it on the wire (Socket.IO's own client would walk the payload recursively to look for binary
 * data, and could not even send a 100,000-level one), and resolves with the ack's payload.
 */
export function rawEmitWithAck(socket: Socket, event: string, payloadJson: string, timeoutMs = 20_000): Promise<any> {
  const engine = (socket.io as unknown as { engine: Engine }).engine;
  const id = nextId++;
  const prefix = `3${id}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      engine.off('message', listener);
      reject(new Error(`no ack for raw '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (data: unknown) => {
      if (typeof data !== 'string' || !data.startsWith(prefix) || data[prefix.length] !== '[') return;
      clearTimeout(timer);
      engine.off('message', listener);
      resolve((JSON.parse(data.slice(prefix.length)) as unknown[])[0]);
    };
    engine.on('message', listener);
    engine.write(`2${id}${JSON.stringify([event]).slice(0, -1)},${payloadJson}]`);
  });
}

/** `n` arrays nested in each other, as JSON text. */
export const nestedArrays = (n: number, inner = '') => '['.repeat(n) + inner + ']'.repeat(n);
/** `n` objects nested in each other (`{"a":{"a":…}}`), as JSON text. */
export const nestedObjects = (n: number, inner = '1') => '{"a":'.repeat(n) + inner + '}'.repeat(n);

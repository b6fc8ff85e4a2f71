import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { IoServer } from './socket-events.js';

export type AdapterKind = 'pubsub' | 'streams';

/**
 * Both adapters send commands without awaiting them (a PUBLISH for every broadcast and
 * serverSideEmit). While Redis is down ioredis rejects them after `maxRetriesPerRequest`, and an
 * unhandled rejection ends a Node process: every API process died on a Redis restart (found by
 * `npm run test:chaos`). Each command's promise of these connections is marked handled here (the
 * failure is logged); callers that await a command still get its error. A fan-out lost this way
 * is covered like any other: the delivery sequencer and the clients' `after=` catch-up.
 */
function handleEveryCommand(client: Redis, onError: (err: Error) => void): Redis {
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    const result = send(...args);
    if (result instanceof Promise) result.catch(isClientInfo(args[0]) ? () => {} : onError);
    return result;
  }) as Redis['sendCommand'];
  return client;
}

/**
 * `CLIENT SETINFO`, which ioredis sends on every (re)connection and whose refusal it ignores itself:
 * Redis before 7.2 does not know it, and logging that refusal put four warnings in every process's
 * start-up log.
 */
function isClientInfo(command: { name?: string; args?: unknown[] } | undefined): boolean {
  return command?.name?.toLowerCase() === 'client' && String(command.args?.[0]).toUpperCase() === 'SETINFO';
}

export interface InstalledAdapter {
  /** Closes the adapter's own Redis connections. */
  close(): Promise<void>;
  /**
   * Resolves once the adapter's subscriptions are active: a PING queued behind the SUBSCRIBE
   * commands the adapter sent while it was installed is answered only after them. A process that
   * took sockets before this would miss other processes' fan-out meanwhile, and a client that
   * caught up with `after=` in that window would not see those messages (npm run test:chaos, a
   * restarted node).
   */
  subscribed(): Promise<void>;
}

/**
 * Installs the Socket.IO Redis adapter so that rooms, broadcasts, disconnectSockets() and
 * serverSideEmit() span every process. Its connections are duplicates of the app's client (a
 * subscriber connection cannot run other commands).
 *
 * Default `pubsub` (@socket.io/redis-adapter): measured faster, and our chat fan-out rides on
 * serverSideEmit, which even the streams adapter sends over plain pub/sub — its replay after a
 * Redis outage would not cover chat messages; the database and `after=` catch-up do. See docs/internals.md.
 */
export async function installRedisAdapter(
  io: IoServer,
  redis: Redis,
  { adapter: kind, adapterKey: key }: { adapter: AdapterKind; adapterKey: string },
  log: FastifyBaseLogger,
  /** Called whenever the connection that receives the other processes' events is (re)established. */
  onConnected: () => void = () => {},
): Promise<InstalledAdapter> {
  const onError = (err: Error) => log.warn({ err: err.message }, 'socket.io redis adapter connection error');
  const onCommandError = (err: Error) => log.warn({ err: err.message }, 'socket.io redis adapter command failed');
  // Only the configured adapter's module is imported: the other one's ≈ 1.6 MB of heap would stay
  // loaded for nothing, and every Mark-Compact marks it (BENCHMARKS.md, "Chat: a smaller heap").
  if (kind === 'streams') {
    const { createAdapter: createStreamsAdapter } = await import('@socket.io/redis-streams-adapter');
    const client = handleEveryCommand(redis.duplicate(), onCommandError);
    client.on('error', onError);
    client.on('ready', onConnected);
    io.adapter(createStreamsAdapter(client, { streamName: key, channelPrefix: key }));
    return {
      close: async () => {
        await client.quit().catch(() => client.disconnect());
      },
      subscribed: async () => {
        await client.ping();
      },
    };
  }
  const { createAdapter: createPubSubAdapter } = await import('@socket.io/redis-adapter');
  const pub = handleEveryCommand(redis.duplicate(), onCommandError);
  const sub = handleEveryCommand(redis.duplicate(), onCommandError);
  pub.on('error', onError);
  sub.on('error', onError);
  sub.on('ready', onConnected);
  io.adapter(createPubSubAdapter(pub, sub, { key, publishOnSpecificResponseChannel: true }));
  return {
    close: async () => {
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
    },
    subscribed: async () => {
      await sub.ping();
    },
  };
}

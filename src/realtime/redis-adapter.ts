import { createAdapter as createPubSubAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { IoServer } from './socket-events.js';

export type AdapterKind = 'pubsub' | 'streams';

/**
 * Installs the Socket.IO Redis adapter so that rooms, broadcasts, disconnectSockets() and
 * serverSideEmit() span every process. Its connections are duplicates of the app's client (a
 * subscriber connection cannot run other commands); returns how to close them.
 *
 * Default `pubsub` (@socket.io/redis-adapter): measured faster, and our chat fan-out rides on
 * serverSideEmit, which even the streams adapter sends over plain pub/sub — its replay after a
 * Redis outage would not cover chat messages; the database and `after=` catch-up do. See README.
 */
export function installRedisAdapter(
  io: IoServer,
  redis: Redis,
  { adapter: kind, adapterKey: key }: { adapter: AdapterKind; adapterKey: string },
  log: FastifyBaseLogger,
): () => Promise<void> {
  const onError = (err: Error) => log.warn({ err: err.message }, 'socket.io redis adapter connection error');
  if (kind === 'streams') {
    const client = redis.duplicate();
    client.on('error', onError);
    io.adapter(createStreamsAdapter(client, { streamName: key, channelPrefix: key }));
    return async () => {
      await client.quit().catch(() => client.disconnect());
    };
  }
  const pub = redis.duplicate();
  const sub = redis.duplicate();
  pub.on('error', onError);
  sub.on('error', onError);
  io.adapter(createPubSubAdapter(pub, sub, { key, publishOnSpecificResponseChannel: true }));
  return async () => {
    await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
  };
}

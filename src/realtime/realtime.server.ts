import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Authenticator } from '../auth/auth.guard.js';
import type { ChatsService } from '../chats/chats.service.js';
import type { EventBus } from '../lib/events.js';
import { requestId } from '../lib/request-id.js';
import type { Metrics } from '../lib/metrics.js';
import { chatSocketHandlers, type SocketLimits } from './chat.socket.js';
import { relayDomainEvents } from './event-relay.js';
import { disconnectAtExpiry, handshakeAuth } from './handshake.js';
import { installRedisAdapter, type AdapterKind } from './redis-adapter.js';
import { SocketChatDelivery } from './socket-delivery.js';
import { MemorySocketRegistry, RedisSocketRegistry, type SocketRegistry } from './socket-registry.js';
import { sessionRoom, userRoom, type IoServer } from './socket-events.js';

export interface RealtimeOptions extends SocketLimits {
  adapter: AdapterKind;
  /** Prefix of the adapter's Redis channels/stream: deployments (or tests) sharing a Redis differ. */
  adapterKey: string;
  /** Engine.IO transports. Polling across several processes needs sticky sessions (docs/operations.md). */
  transports: ('polling' | 'websocket')[];
}

/** Per socket: a 300-message burst (pasting, a retry queue after a reconnect), then 30/s. */
export const DEFAULT_REALTIME_OPTIONS: RealtimeOptions = {
  sendBurst: 300,
  sendPerSecond: 30,
  eventBurst: 100,
  eventPerSecond: 20,
  adapter: 'pubsub',
  adapterKey: 'socket.io',
  transports: ['polling', 'websocket'],
};

export interface RealtimeDeps {
  redis: Redis | null;
  options?: Partial<RealtimeOptions> | undefined;
  /** SOCKETS_PER_USER: counted in Redis when there is one (every process), else in memory. */
  socketsPerUser: number;
}

export interface Realtime {
  io: IoServer;
  delivery: SocketChatDelivery;
  /** Authenticates and serves sockets; ties shutdown to the Fastify instance's close. */
  start(deps: { authenticator: Authenticator; chats: ChatsService; events: EventBus; metrics: Metrics }): void;
}

/** How long start-up waits for the Redis adapter's subscriptions before serving anyway. */
const ADAPTER_SUBSCRIBE_WAIT_MS = 5_000;

/** The Socket.IO server on the API's own HTTP server (same port, path /socket.io). */
export async function createRealtime(fastify: FastifyInstance, deps: RealtimeDeps): Promise<Realtime> {
  const options = { ...DEFAULT_REALTIME_OPTIONS, ...deps.options };
  const log = fastify.log;
  const io: IoServer = new Server(fastify.server, {
    path: '/socket.io',
    serveClient: false,
    transports: options.transports,
    maxHttpBufferSize: 64 * 1024, // as the REST body limit
  });
  // Engine.IO answers /socket.io/ HTTP requests itself (handshakes, polling, its own errors), past
  // Fastify's hooks: they get an X-Request-Id here, like every other response.
  fastify.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/socket.io/')) res.setHeader('x-request-id', requestId(req));
  });
  let onConnected = () => {};
  const adapter = deps.redis ? await installRedisAdapter(io, deps.redis, options, log, () => onConnected()) : null;
  if (adapter) {
    // Listen only once the other processes' fan-out reaches this one (InstalledAdapter.subscribed).
    // A Redis that is down at start does not keep the API from serving: after a while it goes on
    // (the clients' after= catch-up and the delivery sequencer cover what it misses meanwhile).
    fastify.addHook('onReady', async () => {
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        adapter.subscribed().then(() => true, () => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ADAPTER_SUBSCRIBE_WAIT_MS))),
      ]);
      clearTimeout(timer);
      if (!waited) log.warn('socket.io redis adapter not subscribed yet; serving anyway');
    });
  }
  const delivery = new SocketChatDelivery(io, deps.redis !== null, log);
  const registry: SocketRegistry = deps.redis
    ? new RedisSocketRegistry(deps.redis, deps.socketsPerUser, options.adapterKey)
    : new MemorySocketRegistry(deps.socketsPerUser);
  onConnected = () => delivery.peers?.resubscribed();

  return {
    io,
    delivery,
    start({ authenticator, chats, events, metrics }) {
      const handlers = chatSocketHandlers(chats, options, log);
      delivery.readFrom((chatId, afterId, beforeId) => chats.messagesBetween(chatId, afterId, beforeId));
      io.use(handshakeAuth(authenticator, log));
      io.on('connection', (socket) => {
        const { userId, sessionId } = socket.data;
        try {
          // Joined synchronously (in-memory rooms, on every adapter): a revocation published
          // from now on reaches this socket through its session and user rooms.
          void socket.join([userRoom(userId), sessionRoom(sessionId)]);
          metrics.socketsConnected.inc();
          socket.once('disconnect', () => metrics.socketsConnected.dec());
          disconnectAtExpiry(socket, log);
          handlers(socket);
        } catch (err) {
          log.error({ err, userId, socketId: socket.id }, 'socket setup failed');
          socket.disconnect(true);
          return;
        }
        // SOCKETS_PER_USER: this socket in, the user's oldest beyond the limit out, on whichever
        // process they are (a socket id is a room the adapter reaches everywhere).
        registry.admit(userId, socket.id).then(
          (evicted) => {
            if (evicted.length > 0) io.in(evicted).disconnectSockets(true);
          },
          (err: unknown) => log.warn({ err, userId, socketId: socket.id }, 'socket registry admit failed'),
        );
        socket.once('disconnect', () => {
          registry.remove(userId, socket.id).catch((err: unknown) => log.warn({ err, userId, socketId: socket.id }, 'socket registry remove failed'));
        });
        // A revocation published between the handshake's session check and the join above found
        // no socket in the rooms: check the session once more now that the socket is in them.
        authenticator.sessionLive(sessionId, userId).then(
          (live) => {
            if (!live) socket.disconnect(true);
          },
          (err: unknown) => log.warn({ err, userId, socketId: socket.id }, 'socket session re-check failed'),
        );
      });
      const stopRelay = relayDomainEvents(io, events);

      // Shutdown: connections go first, so that the HTTP server can close. Closing the transport
      // (not a Socket.IO disconnect, after which clients stay offline) makes clients reconnect,
      // to another process. Messages already accepted are stored before the database closes.
      fastify.addHook('preClose', async () => {
        stopRelay();
        io.engine.close();
      });
      fastify.addHook('onClose', async () => {
        await chats.close();
        delivery.close();
        await io.of('/').adapter.close();
        await adapter?.close();
      });
    },
  };
}

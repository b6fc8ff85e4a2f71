import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Redis } from 'ioredis';
import type { Config, TrustProxy } from './config.js';
import type { DatabaseHandle } from './db/database.js';
import { Authenticator } from './auth/auth.guard.js';
import { authRoutes } from './auth/auth.routes.js';
import { AuthService } from './auth/auth.service.js';
import { touchSessionIfStale } from './auth/sessions.repo.js';
import { sessionsRoutes } from './auth/sessions.routes.js';
import { SessionsService } from './auth/sessions.service.js';
import { AccessTokens, RefreshTokens } from './auth/tokens.js';
import { chatsRoutes } from './chats/chats.routes.js';
import { ChatsService } from './chats/chats.service.js';
import { exportRoutes } from './export/export.routes.js';
import { ExportService } from './export/export.service.js';
import { EventBus } from './lib/events.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './lib/error-responses.js';
import { requestId } from './lib/request-id.js';
import { installValidators } from './lib/validation.js';
import { installJsonBodies } from './lib/json-body.js';
import { AccessLog, createLogger, lazyChildLoggerFactory } from './lib/logger.js';
import { Metrics } from './lib/metrics.js';
import { matchingPlugin } from './matches/matching.plugin.js';
import type { RateLimiter } from './lib/rate-limit.js';
import { describeResponses } from './lib/openapi-responses.js';
import { ErrorBody } from './lib/schemas.js';
import { devicesRoutes } from './notifications/devices.routes.js';
import { DevicesService } from './notifications/devices.service.js';
import { configuredProviders } from './notifications/providers/index.js';
import type { PushProvider } from './notifications/providers/types.js';
import { DailyPicks } from './notifications/daily-picks.js';
import { PushService, type RetryPolicy } from './notifications/push-service.js';
import { userRoom } from './realtime/socket-events.js';
import { moderationRoutes } from './moderation/moderation.routes.js';
import { ModerationService } from './moderation/moderation.service.js';
import { Moderators } from './moderation/moderators.js';
import { opsRoutes } from './ops/ops.routes.js';
import { createRealtime, DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from './realtime/realtime.server.js';
import type { IoServer } from './realtime/socket-events.js';
import { ActivityTracker } from './auth/activity.js';
import { SessionUserQuery } from './auth/accounts.repo.js';
import { sajuRoutes } from './users/saju.routes.js';
import { usersRoutes } from './users/users.routes.js';
import { UsersService } from './users/users.service.js';
import { webClientBuilt, webClientPlugin } from './web/web-client.plugin.js';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  limiter: RateLimiter;
  /** The per-user chat send limit's store (default: `limiter`); main.ts uses a LeasedRateLimiter
   * with Redis, so that a message does not cost a Redis round trip. */
  sendLimiter?: RateLimiter;
  redis?: Redis | null;
  events?: EventBus;
  metrics?: Metrics;
  /** Injected clock for "today" (tests move it); defaults to the real one. */
  now?: () => Date;
  /** false: no logs (tests); a logger: that one; unset: pino at config.logLevel on stdout (lib/logger.ts). */
  logger?: boolean | FastifyBaseLogger;
  /** Socket.IO limits and adapter choice (benchmarks raise the per-socket send limit). */
  realtime?: Partial<RealtimeOptions>;
  /** The built web client (dist/public) to serve at `/`; unset or not built: no web client. */
  webRoot?: string | null;
  /** Push delivery (main.ts always; tests that need it): the outbox relay, and the workers unless
   * PUSH_WORKERS_IN_PROCESS=false. Unset: outbox rows are written but nothing relays them here. */
  push?: PushDeps;
}

export interface PushDeps {
  /** Default: those the configuration enables (providers/index.ts). */
  providers?: PushProvider[];
  retry?: RetryPolicy;
  pollingIntervalSeconds?: number;
  /** Start in the background (main.ts): the first start creates pg-boss's schema, which must not
   * delay readiness; outbox rows written meanwhile are relayed when it is up. */
  background?: boolean;
}

export interface App {
  fastify: FastifyInstance;
  events: EventBus;
  metrics: Metrics;
  authenticator: Authenticator;
  /** The Socket.IO server on the same HTTP server. */
  io: IoServer;
  /** Push delivery, when `deps.push` asked for it. */
  push: PushService | null;
}

const BODY_LIMIT = 64 * 1024;
const USER_SEND_WINDOW_SECONDS = 10;

/** The per-user chat send limit per USER_SEND_WINDOW_SECONDS for a socket's send burst and rate. */
export function userSendLimit(sendBurst: number, sendPerSecond: number): number {
  return Math.ceil(sendBurst + sendPerSecond * USER_SEND_WINDOW_SECONDS);
}

/** Builds the HTTP app (and later the Socket.IO server on it) without listening. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const db = database.db;
  const events = deps.events ?? new EventBus();
  const metrics = deps.metrics ?? new Metrics();
  const now = deps.now ?? (() => new Date());

  const observeHttp = (request: FastifyRequest, reply: FastifyReply) =>
    metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  const logger = deps.logger === false ? false : typeof deps.logger === 'object' ? deps.logger : createLogger(config.logLevel);
  const fastify = Fastify({
    ...(logger === false ? { logger: false } : { loggerInstance: logger }),
    // One access-log line per request instead of Fastify's two; with a logger, the same call
    // counts the request in the metrics (no onResponse hook: Fastify then skips its hook runner
    // for every response). Without one (tests), Fastify calls it for no response: a hook counts.
    logController: new AccessLog(logger, logger === false ? null : observeHttp),
    // request.log makes its pino child only when something logs through it (lib/logger.ts).
    ...(logger === false ? {} : { childLoggerFactory: lazyChildLoggerFactory }),
    bodyLimit: BODY_LIMIT,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: requestId,
    requestIdHeader: false,
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
  });
  installValidators(fastify);
  installErrorHandling(fastify);
  installJsonBodies(fastify);
  events.onSubscriberError((err, event) => fastify.log.error({ err, event }, 'event subscriber failed'));

  // Callback hooks: no promise per request and hook.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  if (logger === false) {
    fastify.addHook('onResponse', (request, reply, done) => {
      observeHttp(request, reply);
      done();
    });
  }
  fastify.decorateRequest('caller', null);
  fastify.addSchema(ErrorBody);

  await fastify.register(swagger, {
    // Shared schemas keep their own names ("Error") in components instead of def-0, def-1…
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Saju dating API',
        version: '1.0.0',
        contact: { name: 'Saju dating backend team' },
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        description:
          'REST API of the saju blind-dating app. Errors are `{ "error": "..." }` (validation errors add ' +
          '`details`). Every response carries `X-Request-Id`. Real-time events (Socket.IO) and the rules behind every status: docs/api.md in the repository.',
      },
      // Relative to wherever the document is served; generated clients take the real base URL.
      servers: [
        {
          url: '{scheme}://{host}',
          description: 'This server',
          variables: {
            scheme: { enum: ['https', 'http'], default: 'http' },
            host: { default: 'localhost:3000', description: 'Host and port of the deployment' },
          },
        },
      ],
      tags: [
        { name: 'auth', description: 'Accounts, log-in, token rotation and sessions' },
        { name: 'users', description: 'My profile, saju and preferences; other people\'s public profiles' },
        { name: 'matches', description: 'Recommendations, compatibility and chat requests' },
        { name: 'safety', description: 'Blocking and reporting' },
        { name: 'chats', description: 'Chats and messages (REST side of the real-time chat)' },
        { name: 'notifications', description: 'Push devices (Web Push, FCM, APNs) and the VAPID key' },
        { name: 'moderation', description: 'Report queue, suspensions and the audit log (moderators only; 404 to anyone else)' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token from log-in or refresh' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (operators only): /metrics needs it when the server sets one' },
        },
      },
    },
    transformObject: (documentObject) =>
      describeResponses('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });
  fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());

  const accessTokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlSeconds);
  const refreshTokens = new RefreshTokens(config.jwtSecret);
  const activity = new ActivityTracker(db, (err) => fastify.log.warn({ err }, 'recording activity failed'));
  const authenticator = new Authenticator(accessTokens, new SessionUserQuery(database), (sessionId, staleSeconds) =>
    touchSessionIfStale(db, sessionId, staleSeconds),
    activity,
  );
  const auth = new AuthService(db, config, accessTokens, refreshTokens, deps.limiter, events, now);
  const sessions = new SessionsService(db, auth, events);
  const users = new UsersService(db, events, deps.limiter);

  await fastify.register(
    opsRoutes({
      database,
      redis: deps.redis ?? null,
      metrics,
      metricsToken: config.metricsToken,
      hideMetrics: config.env === 'production' && !config.metricsToken,
    }),
  );
  await fastify.register(authRoutes(auth));
  await fastify.register(sessionsRoutes(sessions, authenticator.hook));
  const moderators = new Moderators(config.moderatorEmails);
  await fastify.register(moderationRoutes(new ModerationService(db, events, moderators), moderators, authenticator.hook));
  await fastify.register(usersRoutes(users, authenticator.hook));
  await fastify.register(sajuRoutes(authenticator.hook));
  const devices = new DevicesService(db, deps.limiter, config.push.allowInsecureEndpoints);
  await fastify.register(devicesRoutes(devices, config.push.vapid.publicKey, authenticator.hook));
  await fastify.register(exportRoutes(new ExportService(db, deps.limiter, now), authenticator.hook));
  await fastify.register(
    matchingPlugin({
      db,
      events,
      now,
      requestsPerDay: config.matchRequestsPerDay,
      authenticate: authenticator.hook,
      limiter: deps.limiter,
      profileViewsPerHour: config.profileViewsPerHour,
      prepared: database.prepared,
    }),
  );

  const realtime = await createRealtime(fastify, { redis: deps.redis ?? null, options: deps.realtime, socketsPerUser: config.socketsPerUser });
  let push: PushService | null = null;
  if (deps.push) {
    const starting = startPush(deps, deps.push, realtime.io, events, fastify.log).then((started) => {
      push = started;
      return started;
    });
    fastify.addHook('onClose', async () => {
      const started = await starting.catch(() => null);
      await started?.stop();
    });
    if (deps.push.background) starting.catch((err: unknown) => fastify.log.error({ err }, 'push delivery did not start'));
    else await starting;
  }
  // Per user, over every socket, process and REST: what one socket may send in the window at
  // most (its burst, then its sustained rate), so one busy device never meets it; several share it.
  const sendBurst = deps.realtime?.sendBurst ?? DEFAULT_REALTIME_OPTIONS.sendBurst;
  const sendPerSecond = deps.realtime?.sendPerSecond ?? DEFAULT_REALTIME_OPTIONS.sendPerSecond;
  // Stored messages go to sockets, and (their outbox rows written by the same statement) to the push relay.
  const delivery = {
    messagesStored: (messages: Parameters<typeof realtime.delivery.messagesStored>[0]) => {
      realtime.delivery.messagesStored(messages);
      push?.kick();
    },
    readMarkMoved: (e: Parameters<typeof realtime.delivery.readMarkMoved>[0]) => realtime.delivery.readMarkMoved(e),
  };
  const chats = new ChatsService(db, delivery, metrics, {
    limiter: deps.sendLimiter ?? deps.limiter,
    perUser: userSendLimit(sendBurst, sendPerSecond),
    windowSeconds: USER_SEND_WINDOW_SECONDS,
  });
  await fastify.register(chatsRoutes(chats, authenticator.hook));
  realtime.start({ authenticator, chats, events, metrics });
  if (deps.webRoot && webClientBuilt(deps.webRoot)) await fastify.register(webClientPlugin(deps.webRoot));

  return { fastify, events, metrics, authenticator, io: realtime.io, push: push as PushService | null };
}

/** Starts push delivery (buildApp stops it when the Fastify instance closes). */
async function startPush(deps: AppDeps, options: PushDeps, io: IoServer, events: EventBus, log: FastifyBaseLogger): Promise<PushService> {
  const { config } = deps;
  const push = await PushService.start({
    database: deps.database,
    providers: options.providers ?? configuredProviders(config),
    // Every process's sockets (through the Redis adapter when there is one).
    isOnline: async (userId) => (await io.in(userRoom(userId)).fetchSockets()).length > 0,
    log,
    work: config.push.workersInProcess,
    concurrency: config.push.workerConcurrency,
    dailyPicks: new DailyPicks(deps.database.db, config.push.dailyPicksHour),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.pollingIntervalSeconds ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
  });
  events.subscribe('matchRequested', () => push.kick());
  events.subscribe('matchAccepted', () => push.kick());
  return push;
}

/**
 * TRUST_PROXY for Fastify (proxy-addr): a hop count trusts the nearest `hops` addresses, counted
 * from the TCP peer, so `req.ip` is the entry the outermost trusted proxy appended — never one
 * the client wrote, which sit further left.
 */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Redis } from 'ioredis';
import type { DatabaseHandle } from '../db/database.js';
import type { Metrics } from '../lib/metrics.js';
import { unauthorized } from '../lib/errors.js';
import { errors } from '../lib/schemas.js';

const READY_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Compares without leaking through timing how much of a guessed token was right. */
function sameToken(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface OpsDeps {
  database: DatabaseHandle;
  redis: Redis | null;
  metrics: Metrics;
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Production without a METRICS_TOKEN: /metrics is not served at all (404, like any unknown route). */
  hideMetrics: boolean;
}

export function opsRoutes(deps: OpsDeps) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', {
      schema: {
        operationId: 'checkLiveness',
        security: [],
        tags: ['operations'],
        summary: 'Liveness: 200 while the process runs',
        description: 'For a liveness probe: answers `{ "status": "ok" }` without touching the database or Redis.',
      },
      handler: async () => ({ status: 'ok' }),
    });

    app.get('/readyz', {
      schema: {
        operationId: 'checkReadiness',
        security: [],
        tags: ['operations'],
        summary: 'Readiness: 200 only while the database (and Redis, when configured) answer, else 503',
        description: 'For a readiness probe / load balancer health check: `{ status, checks }`, each check `ok` or `down` (1 s timeout each).',
      },
      handler: async (_req, reply) => {
        const checks: Record<string, 'ok' | 'down'> = {};
        const probe = async (name: string, fn: () => Promise<unknown>) => {
          try {
            await withTimeout(fn(), READY_TIMEOUT_MS);
            checks[name] = 'ok';
          } catch {
            checks[name] = 'down';
          }
        };
        await Promise.all([
          probe('database', () => deps.database.ping()),
          ...(deps.redis ? [probe('redis', () => deps.redis!.ping())] : []),
        ]);
        const ready = Object.values(checks).every((c) => c === 'ok');
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
      },
    });

    if (deps.hideMetrics) return;
    const token = deps.metricsToken;
    app.get('/metrics', {
      schema: {
        operationId: 'getMetrics',
        // Without a token (outside production) the route is open: the scheme is then optional.
        security: token ? [{ metricsToken: [] }] : [{ metricsToken: [] }, {}],
        tags: ['operations'],
        summary: 'Prometheus metrics (text format)',
        description:
          'Request counts and latencies by route, connected sockets, messages sent, process metrics. Under node:cluster each worker answers with its own, labelled `worker`. ' +
          'With METRICS_TOKEN set it requires `Authorization: Bearer <METRICS_TOKEN>` (else 401); in production without METRICS_TOKEN it is 404.',
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...errors(401, 404),
        },
      },
      handler: async (req, reply) => {
        if (token) {
          const [scheme, presented] = (req.headers.authorization ?? '').split(' ');
          if (scheme?.toLowerCase() !== 'bearer' || !presented || !sameToken(presented, token)) {
            reply.header('www-authenticate', 'Bearer');
            throw unauthorized('Unauthorized');
          }
        }
        reply.header('content-type', deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
    });
  };
}

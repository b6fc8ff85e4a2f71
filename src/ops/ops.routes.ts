import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { DatabaseHandle } from '../db/database.js';
import type { Metrics } from '../lib/metrics.js';

const READY_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function opsRoutes(deps: { database: DatabaseHandle; redis: Redis | null; metrics: Metrics }) {
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

    app.get('/metrics', {
      schema: {
        operationId: 'getMetrics',
        security: [],
        tags: ['operations'],
        summary: 'Prometheus metrics (text format)',
        description:
          'Request counts and latencies by route, connected sockets, messages sent, process metrics. Under node:cluster each worker answers with its own, labelled `worker`.',
      },
      handler: async (_req, reply) => {
        reply.header('content-type', deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
    });
  };
}

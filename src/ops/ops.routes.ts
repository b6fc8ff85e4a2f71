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
      schema: { tags: ['operations'], summary: 'Liveness: 200 while the process runs' },
      handler: async () => ({ status: 'ok' }),
    });

    app.get('/readyz', {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: 200 only while the database (and Redis, when configured) answer, else 503',
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
      schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)' },
      handler: async (_req, reply) => {
        reply.header('content-type', deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
    });
  };
}

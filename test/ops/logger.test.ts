import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LineBatcher, RequestLogger, createLogger, type LineSink } from '../../src/lib/logger.js';
import { MemoryRateLimiter } from '../../src/lib/rate-limit.js';
import { freshDatabase } from '../helpers/database.js';
import { TEST_VAPID } from '../helpers/vapid.js';

/** A destination that records what it was handed. */
function recordingSink() {
  const chunks: string[] = [];
  let syncFlushes = 0;
  const sink: LineSink = {
    write: (chunk) => chunks.push(chunk),
    flush: (done) => done?.(),
    flushSync: () => {
      syncFlushes += 1;
    },
  };
  return { sink, chunks, syncFlushes: () => syncFlushes };
}

describe('the log line batcher', () => {
  it('hands lines on in one chunk, in order, once they reach the batch size', () => {
    const { sink, chunks } = recordingSink();
    const batcher = new LineBatcher(sink, 30, 60_000);
    batcher.write('{"n":1}\n');
    batcher.write('{"n":2}\n');
    batcher.write('{"n":3}\n');
    assert.deepEqual(chunks, [], 'below the batch size nothing is written yet');
    batcher.write('{"n":4}\n');
    assert.deepEqual(chunks, ['{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n']);
    batcher.write('{"n":5}\n');
    batcher.flushSync();
    assert.deepEqual(chunks, ['{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n', '{"n":5}\n']);
  });

  it('writes a line that waited the flush interval without more lines coming', async () => {
    const { sink, chunks } = recordingSink();
    const batcher = new LineBatcher(sink, 1_000_000, 20);
    batcher.write('a\n');
    batcher.write('b\n');
    assert.deepEqual(chunks, []);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(chunks, ['a\nb\n']);
    batcher.write('c\n');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(chunks, ['a\nb\n', 'c\n']);
  });

  it('flushSync writes what is collected and makes the destination write out synchronously', () => {
    const { sink, chunks, syncFlushes } = recordingSink();
    const batcher = new LineBatcher(sink, 1_000_000, 60_000);
    batcher.flushSync();
    assert.deepEqual(chunks, [], 'nothing collected, nothing handed on');
    batcher.write('x\n');
    batcher.flushSync();
    assert.deepEqual(chunks, ['x\n']);
    assert.equal(syncFlushes(), 2);
  });

  it('pino logger.flush(cb) hands the lines on and calls back', async () => {
    const { sink, chunks } = recordingSink();
    const log = createLogger('info', sink);
    log.info({ k: 1 }, 'one');
    assert.deepEqual(chunks, []);
    await new Promise<void>((resolve, reject) => log.flush((err) => (err ? reject(err) : resolve())));
    assert.equal(chunks.length, 1);
    const line = JSON.parse(chunks[0]!) as { k: number; msg: string };
    assert.deepEqual([line.k, line.msg], [1, 'one']);
  });

  it('a process that exits writes every line it logged, in order, to stdout', async () => {
    const count = 5_000;
    const code =
      `import { createLogger } from './src/lib/logger.ts';` +
      `const log = createLogger('info');` +
      `for (let i = 0; i < ${count}; i++) log.info({ i }, 'line');` +
      `process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(exitCode, 0);
    const lines = out.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    assert.equal(lines.length, count);
    assert.deepEqual(lines, Array.from({ length: count }, (_, i) => i));
  });
});

describe('the access log', () => {
  it('writes one line per request, the line pino itself would write for those fields', async () => {
    const { sink, chunks } = recordingSink();
    const logger = createLogger('info', sink);
    const database = await freshDatabase();
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789', ...TEST_VAPID });
    const app = await buildApp({ config, database, limiter: new MemoryRateLimiter(), logger });
    try {
      const ok = await app.fastify.inject({ method: 'GET', url: '/healthz?x="q"', headers: { 'x-request-id': 'req-1' } });
      const refused = await app.fastify.inject({ method: 'GET', url: '/api/users/me', headers: { 'x-request-id': 'req-2' } });
      assert.deepEqual([ok.statusCode, refused.statusCode], [200, 401]);
      // With a logger, the access log's call counts the requests in the metrics (no onResponse hook).
      const scrape = await app.metrics.registry.metrics();
      assert.match(scrape, /^http_requests_total\{method="GET",route="\/healthz",status="200"\} 1$/m);
      assert.match(scrape, /^http_requests_total\{method="GET",route="\/api\/users\/me",status="401"\} 1$/m);
      assert.match(scrape, /^http_request_duration_seconds_count\{method="GET",route="\/api\/users\/me"\} 1$/m);
      await new Promise<void>((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve())));
      const lines = chunks.join('').trim().split('\n');
      assert.equal(lines.length, 2, 'one line per request');
      const written = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        written.map((l) => [l.reqId, l.url, l.statusCode, l.msg, l.level]),
        [
          ['req-1', '/healthz?x=%22q%22', 200, 'request completed', 30],
          ['req-2', '/api/users/me', 401, 'request completed', 30],
        ],
      );
      // What pino writes for the same fields through a request child, with the same time and duration.
      for (const line of written) {
        const before = chunks.length;
        logger
          .child({ reqId: line.reqId })
          .info(
            { method: line.method, url: line.url, statusCode: line.statusCode, remoteAddress: line.remoteAddress, responseTime: line.responseTime },
            'request completed',
          );
        await new Promise<void>((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve())));
        const expected = chunks.slice(before).join('').replace(/"time":\d+/, `"time":${String(line.time)}`);
        assert.equal(expected, `${JSON.stringify(line)}\n`);
        assert.equal(typeof line.time, 'number');
        assert.equal(typeof line.pid, 'number');
        assert.equal(line.remoteAddress, '127.0.0.1');
        assert.equal(typeof line.responseTime, 'number');
      }
    } finally {
      await app.fastify.close();
      await database.close();
    }
  });

  it('makes a request its pino child only when something logs through it, with the request id bound', async () => {
    const { sink, chunks } = recordingSink();
    const logger = createLogger('info', sink);
    const made: unknown[] = [];
    const child = logger.child.bind(logger);
    logger.child = ((bindings: Record<string, unknown>, options?: Parameters<typeof logger.child>[1]) => {
      made.push(bindings);
      return child(bindings, options);
    }) as typeof logger.child;
    const database = await freshDatabase();
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789', ...TEST_VAPID });
    const app = await buildApp({ config, database, limiter: new MemoryRateLimiter(), logger });
    app.fastify.get('/logs-something', async (request) => {
      assert.ok(request.log instanceof RequestLogger);
      assert.equal(request.log.level, 'info');
      request.log.warn({ n: 1 }, 'something');
      return { ok: true };
    });
    try {
      made.length = 0;
      const quiet = await app.fastify.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'quiet-1' } });
      assert.equal(quiet.statusCode, 200);
      assert.deepEqual(made, [], 'no child for a request that logs only its access line');
      const loud = await app.fastify.inject({ method: 'GET', url: '/logs-something', headers: { 'x-request-id': 'loud-1' } });
      assert.equal(loud.statusCode, 200);
      assert.deepEqual(made, [{ reqId: 'loud-1' }], 'one child, made when the handler logged');
      await new Promise<void>((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve())));
      const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        lines.map((l) => [l.reqId, l.msg, l.level, l.n, l.url]),
        [
          ['quiet-1', 'request completed', 30, undefined, '/healthz'],
          ['loud-1', 'something', 40, 1, undefined],
          ['loud-1', 'request completed', 30, undefined, '/logs-something'],
        ],
      );
      // The access line of a request whose child was made carries its bindings once, as before.
      assert.equal(chunks.join('').split('\n')[2]!.match(/"reqId"/g)!.length, 1);
    } finally {
      await app.fastify.close();
      await database.close();
    }
  });

  it('writes nothing below its level', async () => {
    const { sink, chunks } = recordingSink();
    const logger = createLogger('warn', sink);
    const database = await freshDatabase();
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789', ...TEST_VAPID });
    const app = await buildApp({ config, database, limiter: new MemoryRateLimiter(), logger });
    try {
      assert.equal((await app.fastify.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      logger.flush();
      assert.deepEqual(chunks, []);
    } finally {
      await app.fastify.close();
      await database.close();
    }
  });
});

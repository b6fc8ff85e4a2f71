import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { appDelta, readApp } from '../../bench/lib/app-metrics.js';
import { Metrics } from '../../src/lib/metrics.js';

// The chat bench reads the app's GC pauses and event-loop delay from its /metrics: a change of
// prom-client's exposition (label order, names) must fail here, not print "GC none" in a bench.
describe('bench: reading the app’s GC pauses from /metrics', () => {
  let body = '';
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts pauses, their total and those over 10 ms per kind, and the longest loop delay', async () => {
    body = [
      'nodejs_eventloop_lag_max_seconds 0.0123',
      'nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 1',
      'nodejs_gc_duration_seconds_bucket{le="0.01",kind="minor"} 3',
      'nodejs_gc_duration_seconds_bucket{le="0.1",kind="minor"} 5',
      'nodejs_gc_duration_seconds_sum{kind="minor"} 0.05',
      'nodejs_gc_duration_seconds_count{kind="minor"} 5',
      'nodejs_gc_duration_seconds_bucket{le="0.01",kind="major"} 0',
      'nodejs_gc_duration_seconds_sum{kind="major"} 0.02',
      'nodejs_gc_duration_seconds_count{kind="major"} 1',
    ].join('\n');
    const first = await readApp(port);
    assert.deepEqual(first.gc, { minor: { count: 5, ms: 50, over10: 2 }, major: { count: 1, ms: 20, over10: 1 } });
    assert.equal(first.loopMaxMs, 12.3);
    const later = { gc: { ...first.gc, minor: { count: 9, ms: 70, over10: 3 } }, loopMaxMs: 30 };
    assert.equal(appDelta(first, later), 'GC minor 4 × 5.00 ms (1 > 10 ms); longest event-loop delay 30.00 ms');
    assert.equal(appDelta(first, first), 'GC none; longest event-loop delay 12.30 ms');
  });

  it('reads what the app’s own registry exposes after a real scavenge', async () => {
    const metrics = new Metrics();
    let kept: unknown[] = [];
    // Allocate until prom-client has observed a minor GC (its observer reports asynchronously).
    for (let i = 0; i < 200; i++) {
      kept = Array.from({ length: 50_000 }, (_, j) => ({ j }));
      await new Promise((r) => setImmediate(r));
      body = await metrics.registry.metrics();
      if ((await readApp(port)).gc.minor?.count) break;
    }
    assert.ok(kept.length > 0);
    const reading = await readApp(port);
    const minor = reading.gc.minor;
    assert.ok(minor && minor.count > 0, `no minor GC read from:\n${body.split('\n').filter((l) => l.includes('gc')).join('\n')}`);
    assert.ok(minor.ms > 0 && minor.over10 >= 0 && minor.over10 <= minor.count);
    assert.ok(Number.isFinite(reading.loopMaxMs) && reading.loopMaxMs >= 0);
  });
});

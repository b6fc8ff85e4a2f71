import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { HTTP_DURATION_BUCKETS, HttpMetrics } from '../../src/lib/http-metrics.js';

/** The same two metrics in prom-client's own classes: what HttpMetrics must expose, byte for byte. */
function promClientReference(registry: Registry) {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  });
  return (method: string, route: string, status: number, seconds: number) => {
    requests.inc({ method, route, status: String(status) });
    duration.observe({ method, route }, seconds);
  };
}

const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['GET', '/api/users/me', 200, 0.0012],
  ['GET', '/healthz', 200, 0.0001],
  ['GET', '/api/users/me', 401, 0.0004],
  ['POST', '/api/users/login', 200, 0.051],
  ['GET', '/api/users/me', 200, 0.001], // exactly on a bound: counted in that bucket
  ['GET', 'unmatched', 404, 0.0003],
  ['GET', '/api/users/me', 200, 7.5], // above every bound: only in +Inf, sum and count
  ['POST', '/api/users/login', 429, 0.0025],
  ['GET', '/api/users/me', 200, 0.3],
];

describe('HTTP request metrics', () => {
  it('expose the same text and JSON as prom-client fed the same requests', async () => {
    const ours = new Registry();
    const reference = new Registry();
    const metrics = new HttpMetrics(ours);
    const observe = promClientReference(reference);
    assert.equal(await ours.metrics(), await reference.metrics(), 'before any request');
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      metrics.observe(method, route, status, seconds);
      observe(method, route, status, seconds);
    }
    const text = await ours.metrics();
    assert.equal(text, await reference.metrics());
    assert.match(text, /^http_requests_total\{method="GET",route="\/api\/users\/me",status="200"\} 4$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{le="0.001",method="GET",route="\/api\/users\/me"\} 2$/m, '0.0004 (the 401) and 0.001');
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/api\/users\/me"\} 5$/m);
    const json = (r: Registry) => r.getMetricsAsJSON().then((all) => all.map((m) => ({ ...m, values: (m.values as Array<{ labels: object; value: number; metricName?: string }>).map(({ labels, value, metricName }) => ({ labels, value, metricName })) })));
    assert.deepEqual(await json(ours), await json(reference));
  });

  it('carry the registry default labels (a cluster worker) and start afresh on reset', async () => {
    const ours = new Registry();
    const reference = new Registry();
    ours.setDefaultLabels({ worker: '2' });
    reference.setDefaultLabels({ worker: '2' });
    const metrics = new HttpMetrics(ours);
    const observe = promClientReference(reference);
    metrics.observe('GET', '/healthz', 200, 0.002);
    observe('GET', '/healthz', 200, 0.002);
    assert.equal(await ours.metrics(), await reference.metrics());
    ours.resetMetrics();
    reference.resetMetrics();
    assert.equal(await ours.metrics(), await reference.metrics());
    metrics.observe('GET', '/readyz', 503, 0.02);
    observe('GET', '/readyz', 503, 0.02);
    assert.equal(await ours.metrics(), await reference.metrics());
  });
});

import cluster from 'node:cluster';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly socketsConnected = new Gauge({
    name: 'socketio_connected_sockets',
    help: 'Socket.IO sockets connected to this process',
    registers: [this.registry],
  });
  readonly messagesSent = new Counter({
    name: 'chat_messages_sent_total',
    help: 'Chat messages stored, by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  /** One finished HTTP request. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }

  constructor(collectProcessMetrics = true) {
    // Workers of one node:cluster primary share a port, so a scrape reaches any one of them: the
    // label says which worker's counters these are (a new worker after a crash gets a new id).
    if (cluster.isWorker && cluster.worker) this.registry.setDefaultLabels({ worker: String(cluster.worker.id) });
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }
}

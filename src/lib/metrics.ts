import cluster from 'node:cluster';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { HttpMetrics } from './http-metrics.js';

/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
export class Metrics {
  readonly registry = new Registry();
  /** http_requests_total and http_request_duration_seconds (plain counts, exposed as prom-client would). */
  readonly http = new HttpMetrics(this.registry);
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
    this.http.observe(method, route, status, seconds);
  }

  constructor(collectProcessMetrics = true) {
    // Workers of one node:cluster primary share a port, so a scrape reaches any one of them: the
    // label says which worker's counters these are (a new worker after a crash gets a new id).
    if (cluster.isWorker && cluster.worker) this.registry.setDefaultLabels({ worker: String(cluster.worker.id) });
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }
}

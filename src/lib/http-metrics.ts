import type { Metric, Registry } from 'prom-client';

/** Upper bounds (seconds) of http_request_duration_seconds. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface CounterSeries {
  readonly labels: { method: string; route: string; status: string };
  value: number;
}

interface HistogramSeries {
  readonly labels: { method: string; route: string };
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
  /** The request counter's series of this method and route, by status code. */
  readonly byStatus: Map<number, CounterSeries>;
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string; sharedLabels?: Record<string, string> };

/**
 * `http_requests_total` (counter: method, route, status) and `http_request_duration_seconds`
 * (histogram: method, route) as prom-client would expose them — the same names, help, label
 * order, series order (first seen first), bucket bounds and sums — but counted in plain numbers:
 * a request costs two Map lookups, a bucket search and three additions, where prom-client's
 * `inc` and `observe` build and hash label objects on every call. The samples are assembled only
 * when /metrics is scraped (test/ops/http-metrics.test.ts compares both outputs).
 */
export class HttpMetrics {
  private readonly byMethod = new Map<string, Map<string, HistogramSeries>>();
  /** In order of first appearance, as prom-client lists series. */
  private counterSeries: CounterSeries[] = [];
  private histogramSeries: HistogramSeries[] = [];

  constructor(registry: Registry) {
    registry.registerMetric(this.counterMetric() as unknown as Metric);
    registry.registerMetric(this.histogramMetric() as unknown as Metric);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let routes = this.byMethod.get(method);
    if (routes === undefined) {
      routes = new Map();
      this.byMethod.set(method, routes);
    }
    let series = routes.get(route);
    if (series === undefined) {
      series = { labels: { method, route }, counts: new Float64Array(HTTP_DURATION_BUCKETS.length + 1), sum: 0, count: 0, byStatus: new Map() };
      routes.set(route, series);
    }
    let requests = series.byStatus.get(status);
    if (requests === undefined) {
      requests = { labels: { method, route, status: String(status) }, value: 0 };
      series.byStatus.set(status, requests);
      this.counterSeries.push(requests);
    }
    requests.value += 1;
    if (series.count === 0) this.histogramSeries.push(series);
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[bucket]!) bucket++;
    series.counts[bucket]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  /** Forgets every series (prom-client's registry.resetMetrics). */
  reset(): void {
    this.byMethod.clear();
    this.counterSeries = [];
    this.histogramSeries = [];
  }

  private counterMetric() {
    const meta = { name: 'http_requests_total', help: 'HTTP requests by method, route and status code', type: 'counter', aggregator: 'sum' } as const;
    return {
      ...meta,
      labelNames: ['method', 'route', 'status'],
      reset: () => this.reset(),
      get: async () => ({ ...meta, values: this.counterSeries.map((s) => ({ value: s.value, labels: s.labels })) }),
    };
  }

  private histogramMetric() {
    const name = 'http_request_duration_seconds';
    const meta = { name, help: 'HTTP request latency by method and route', type: 'histogram', aggregator: 'sum' } as const;
    // As prom-client's Histogram: `le` in `labels`, the series' own labels in `sharedLabels` for
    // the text format; get() (JSON, cluster aggregation) merges them into one labels object.
    const forPromString = () => {
      const values: Sample[] = [];
      for (const s of this.histogramSeries) {
        let cumulative = 0;
        HTTP_DURATION_BUCKETS.forEach((le, i) => {
          cumulative += s.counts[i]!;
          values.push({ labels: { le }, sharedLabels: s.labels, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${name}_bucket` });
        values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` });
        values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` });
      }
      return { ...meta, values };
    };
    return {
      ...meta,
      labelNames: ['method', 'route'],
      reset: () => this.reset(),
      getForPromString: async () => forPromString(),
      get: async () => {
        const data = forPromString();
        return { ...data, values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
      },
    };
  }
}

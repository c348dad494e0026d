import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from 'prom-client';

/** Another thread's metrics, as getMetricsAsJSON gives them. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * The Prometheus metrics of one service instance (its own registry: the tests run several
 * instances in one process). Counters are bumped where things happen; gauges are read when
 * scraped (`readings`). Labels never carry an account, an address or a token.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly others: (() => Promise<MetricsSnapshot>)[] = [];

  readonly hitsAnswered = this.counter(
    'mailtrace_tracking_hits_answered_total',
    'Tracking requests answered, by route.',
    ['route'],
  );
  readonly hitsRecorded = this.counter(
    'mailtrace_tracking_hits_recorded_total',
    'Hits stored as tracking events, by kind.',
    ['kind'],
  );
  readonly hitsRateLimited = this.counter(
    'mailtrace_tracking_hits_rate_limited_total',
    'Hits answered but not recorded because they were over the abuse limits, by kind.',
    ['kind'],
  );
  readonly hitsDropped = this.counter(
    'mailtrace_tracking_hits_dropped_total',
    'Hits answered but dropped: the buffer was full while the database was unreachable.',
  );
  readonly eventBatches = this.counter(
    'mailtrace_event_batches_total',
    'Batches of tracking events: inserted by the tracking routes (insert), processed by process_events (process).',
    ['stage'],
  );
  readonly jobs = this.counter(
    'mailtrace_jobs_total',
    'Job attempts by task and outcome: success, error (the attempt failed, it will be retried) or failed (for good).',
    ['task', 'outcome'],
  );
  readonly workerTakeovers = this.counter(
    'mailtrace_worker_takeovers_total',
    'Workers found silent for three heartbeats, whose jobs this process unlocked for others (a lapsed heartbeat).',
  );
  readonly smtpMessages = this.counter(
    'mailtrace_smtp_messages_total',
    'Messages handed to SMTP, by outcome: sent, failed (for good) or retry (a temporary failure).',
    ['outcome'],
  );

  constructor() {
    // process CPU, memory, GC and nodejs_eventloop_lag_p99_seconds (the event loop's delay)
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** Gauges read at scrape time; each `read` returns the value, or values by label. */
  readings(
    gauges: {
      name: string;
      help: string;
      label?: string;
      read: () => Promise<number | Map<string, number>>;
    }[],
  ): void {
    for (const { name, help, label, read } of gauges) {
      new Gauge({
        name,
        help,
        labelNames: label ? [label] : [],
        registers: [this.registry],
        async collect() {
          const value = await read();
          if (typeof value === 'number') return void this.set(value);
          this.reset();
          for (const [key, n] of value) this.set({ [label!]: key }, n);
        },
      });
    }
  }

  /** Under `npm start` the API and the job workers run in two threads: each sample says which. */
  labelThread(thread: 'api' | 'workers'): void {
    this.registry.setDefaultLabels({ thread });
  }

  /** A thread whose metrics this registry's scrape includes (the job workers' thread). */
  include(snapshot: () => Promise<MetricsSnapshot>): void {
    this.others.push(snapshot);
  }

  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON() as Promise<MetricsSnapshot>;
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    if (this.others.length === 0) {
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    }
    // samples of the two threads differ by their thread label, so nothing is summed across them
    const all = await Promise.all([this.snapshot(), ...this.others.map((other) => other())]);
    const merged = AggregatorRegistry.aggregate(all);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}

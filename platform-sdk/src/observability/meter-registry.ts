/**
 * Metrics in the shapes Micrometer's Prometheus registry gives a Spring Boot app, so the
 * estate's Grafana dashboards read a Silk service unchanged. A Micrometer `Timer` named
 * `http.server.requests` appears as
 *
 *   http_server_requests_seconds_bucket{...,le="0.1"}   (with percentiles-histogram on)
 *   http_server_requests_seconds_count / _sum
 *   http_server_requests_seconds_max                    gauge: the largest of a rolling window
 *
 * and every series carries the common tag `application` (Boot's `management.metrics.tags.
 * application=${spring.application.name}`, which the common dashboards filter on).
 * `_max` decays as Micrometer's TimeWindowMax does: the maximum over the last 2 minutes,
 * kept in 3 rotating buckets.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; covering a fast cache hit to a slow remote call. */
export const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Micrometer's TimeWindowMax: `expiryMs` 2 min over `bufferLength` 3 rotating maxima. */
export class TimeWindowMax {
  private readonly ring: number[];
  private current = 0;
  private lastRotate: number;
  private readonly rotateEveryMs: number;

  constructor(
    private readonly now: () => number = Date.now,
    expiryMs = 120_000,
    bufferLength = 3,
  ) {
    this.ring = new Array<number>(bufferLength).fill(0);
    this.rotateEveryMs = expiryMs / bufferLength;
    this.lastRotate = now();
  }

  record(v: number): void {
    this.rotate();
    for (let i = 0; i < this.ring.length; i++) if (v > this.ring[i]!) this.ring[i] = v;
  }

  poll(): number {
    this.rotate();
    return this.ring[this.current]!;
  }

  private rotate(): void {
    const elapsed = this.now() - this.lastRotate;
    if (elapsed < this.rotateEveryMs) return;
    const steps = Math.min(this.ring.length, Math.floor(elapsed / this.rotateEveryMs));
    for (let i = 0; i < steps; i++) {
      this.ring[this.current] = 0;
      this.current = (this.current + 1) % this.ring.length;
    }
    this.lastRotate += Math.floor(elapsed / this.rotateEveryMs) * this.rotateEveryMs;
  }
}

/** A Micrometer Timer: `<name>_seconds` histogram plus `<name>_seconds_max`. */
export class Timer<L extends string> {
  private readonly histogram: Histogram<L>;
  private readonly maxima = new Map<string, { labels: Partial<Record<L, string>>; max: TimeWindowMax }>();

  constructor(
    registry: Registry,
    name: string,
    help: string,
    readonly labelNames: readonly L[],
    private readonly now: () => number = Date.now,
  ) {
    this.histogram = new Histogram({
      name: `${name}_seconds`,
      help,
      labelNames,
      buckets: DEFAULT_BUCKETS,
      registers: [registry],
    });
    const maxima = this.maxima;
    new Gauge({
      name: `${name}_seconds_max`,
      help,
      labelNames,
      registers: [registry],
      collect() {
        for (const { labels, max } of maxima.values()) this.set(labels, max.poll());
      },
    });
  }

  record(labels: Record<L, string>, seconds: number): void {
    this.histogram.observe(labels, seconds);
    const key = this.labelNames.map((l) => labels[l]).join('\u0000');
    let m = this.maxima.get(key);
    if (m === undefined) {
      m = { labels: { ...labels }, max: new TimeWindowMax(this.now) };
      this.maxima.set(key, m);
    }
    m.max.record(seconds);
  }
}

export interface MeterRegistryOptions {
  /** The `application` tag on every series: spring.application.name. */
  application: string;
  /** Further common tags (`management.metrics.tags.*`). */
  commonTags?: Record<string, string>;
  now?: () => number;
}

/** One service's metrics: a prom-client Registry with the common tags and get-or-create meters. */
export class MeterRegistry {
  readonly registry = new Registry();
  private readonly meters = new Map<string, unknown>();
  private readonly now: () => number;

  constructor(opts: MeterRegistryOptions) {
    this.registry.setDefaultLabels({ application: opts.application, ...opts.commonTags });
    this.now = opts.now ?? Date.now;
  }

  /** `name` as Prometheus spells it (`dubbo_provider_requests`), without the `_seconds` suffix. */
  timer<L extends string>(name: string, help: string, labelNames: readonly L[]): Timer<L> {
    return this.getOrCreate(name, () => new Timer(this.registry, name, help, labelNames, this.now));
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return this.getOrCreate(name, () => new Counter({ name, help, labelNames, registers: [this.registry] }));
  }

  /** A plain histogram, for meters a Java library defines in its own unit and buckets. */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): Histogram<L> {
    return this.getOrCreate(
      name,
      () => new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] }),
    );
  }

  /** A gauge read at scrape time (pool sizes, queue depths): `collect` sets the values. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect?: (set: (labels: Record<L, string>, value: number) => void) => void | Promise<void>,
  ): Gauge<L> {
    return this.getOrCreate(
      name,
      () =>
        new Gauge({
          name,
          help,
          labelNames,
          registers: [this.registry],
          ...(collect
            ? {
                async collect(this: Gauge<L>) {
                  this.reset();
                  await collect((labels, value) => this.set(labels, value));
                },
              }
            : {}),
        }),
    );
  }

  /** The text exposition format (version 0.0.4), as `/actuator/prometheus` serves it. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private getOrCreate<M>(name: string, make: () => M): M {
    let m = this.meters.get(name) as M | undefined;
    if (m === undefined) {
      m = make();
      this.meters.set(name, m);
    }
    return m;
  }
}

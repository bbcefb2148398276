/**
 * Everything a service observes with, assembled from its properties: the tracing, the meters
 * (HTTP, process, Sentinel), the JSON logger with live levels, and the Nacos config loads as
 * spans. `createService` builds one per service; transports find it through the request
 * context (`currentScope()`), or as the process default once the service has started.
 *
 * Properties are the bootstrap file's beneath the Nacos dataIds' (as the config store merges
 * them), re-read whenever a dataId changes. `logging.level.*` applies at once; a change to
 * `management.tracing.*` / exporter endpoints rebuilds the tracing (buffered spans of the old
 * one are flushed). A value that cannot be used is logged and the last good setting kept.
 */
import { SpanKind } from './otel-api.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DestinationStream, Logger } from 'pino';
import type { Component } from '../core/index.js';
import {
  applyEnvOverrides,
  mergeFlat,
  parseConfig,
  type ConfigRepository,
  type ConfigSource,
  type FlatConfig,
} from '../config/index.js';
import { LogLevels, createLogger } from './logging.js';
import { MeterRegistry } from './meter-registry.js';
import { bindProcessMetrics } from './process-metrics.js';
import { str } from './properties.js';
import { bindSentinelMetrics, type SentinelMetricSource } from './sentinel-metrics.js';
import { setDefaultScope, withSpan, type ObservabilityScope } from './spans.js';
import { Tracing, tracingOptionsFrom, type TracingOptions } from './tracing.js';

export interface ServiceObservabilityOptions {
  application: string;
  /** The bootstrap file's flat properties. */
  bootstrap?: Record<string, unknown>;
  /** The bootstrap log level (already read by the starter); `logging.level.root` overrides. */
  logLevel?: string;
  logDestination?: DestinationStream;
  /** Extra span exporters, in addition to those the properties name (tests, custom backends). */
  spanExporters?: SpanExporter[];
  /** Export spans one by one as they end (tests); default batched. */
  exportImmediately?: boolean;
  env?: NodeJS.ProcessEnv;
}

export class ServiceObservability implements ObservabilityScope, Component {
  readonly name = 'observability';
  readonly meters: MeterRegistry;
  readonly logger: Logger;
  readonly logLevels: LogLevels;
  private current: Tracing;
  private currentOptions: string;
  private readonly bootstrap: FlatConfig;
  private readonly contents = new Map<string, FlatConfig>();
  private readonly order: string[] = [];

  constructor(private readonly opts: ServiceObservabilityOptions) {
    this.bootstrap = new Map(Object.entries(opts.bootstrap ?? {}));
    this.logger = createLogger({
      application: opts.application,
      ...(opts.logLevel ? { level: opts.logLevel } : {}),
      ...(opts.logDestination ? { destination: opts.logDestination } : {}),
    });
    this.logLevels = new LogLevels(this.logger);
    this.meters = new MeterRegistry({ application: opts.application });
    bindProcessMetrics(this.meters);
    const props = this.properties();
    const tracingOpts = this.tracingOptions(props);
    this.current = new Tracing(tracingOpts);
    this.currentOptions = JSON.stringify(tracingOpts);
    if (props.has('logging.level.root') || [...props.keys()].some((k) => k.startsWith('logging.level.')))
      this.logLevels.apply(props);
  }

  get tracing(): Tracing {
    return this.current;
  }

  /** The merged properties: bootstrap, then each Nacos source in precedence order, then env. */
  properties(): FlatConfig {
    const loaded = this.order
      .map((k) => this.contents.get(k))
      .filter((c): c is FlatConfig => c !== undefined);
    const ordered = [this.bootstrap, ...loaded];
    return applyEnvOverrides(mergeFlat(ordered), this.opts.env ?? process.env);
  }

  private tracingOptions(props: FlatConfig): TracingOptions {
    const opts = tracingOptionsFrom(props, this.opts.application);
    if (this.opts.spanExporters) opts.exporters = this.opts.spanExporters;
    if (this.opts.exportImmediately) opts.exportImmediately = true;
    return opts;
  }

  /** Re-reads the properties; keeps the last good settings when they cannot be used. */
  refresh(): void {
    const props = this.properties();
    try {
      this.logLevels.apply(props);
    } catch (err) {
      this.logger.warn({ err }, 'logging.level.* not applied; the previous levels stay');
    }
    let next: TracingOptions;
    try {
      next = this.tracingOptions(props);
    } catch (err) {
      this.logger.warn({ err }, 'management.tracing.* not applied; the previous tracing stays');
      return;
    }
    const key = JSON.stringify(next);
    if (key === this.currentOptions) return;
    const old = this.current;
    this.current = new Tracing(next);
    this.currentOptions = key;
    this.logger.info({ exporters: this.current.exporters, enabled: next.enabled }, 'tracing reconfigured');
    old.shutdown().catch((err: unknown) => this.logger.warn({ err }, 'flushing the previous tracing failed'));
  }

  /**
   * The config repository seen through observability: each load is a CLIENT span
   * (`nacos config get <dataId>`), and each content, first or changed, updates the
   * properties this reads (`logging.level.*`, `management.tracing.*`).
   */
  observeConfig(repo: ConfigRepository, sources: readonly ConfigSource[]): ConfigRepository {
    for (const s of sources) this.order.push(`${s.group}/${s.dataId}`);
    const take = (s: ConfigSource, content: string | undefined) => {
      const key = `${s.group}/${s.dataId}`;
      try {
        if (content === undefined) this.contents.delete(key);
        else this.contents.set(key, parseConfig(content, s.format, s.dataId));
      } catch {
        return; // the config store reports unreadable content; keep what we had
      }
      this.refresh();
    };
    const attrs = (s: ConfigSource) => ({ 'nacos.data_id': s.dataId, 'nacos.group': s.group });
    return {
      get: (s) =>
        withSpan(
          `nacos config get ${s.dataId}`,
          { kind: SpanKind.CLIENT, attributes: attrs(s) },
          async () => {
            const content = await repo.get(s);
            take(s, content);
            return content;
          },
        ),
      subscribe: (s, onChange) =>
        repo.subscribe(s, (content) =>
          withSpan(
            `nacos config change ${s.dataId}`,
            { kind: SpanKind.CONSUMER, attributes: attrs(s) },
            () => {
              take(s, content);
              onChange(content);
            },
          ),
        ),
    };
  }

  /** Sentinel's per-resource figures on `/actuator/prometheus`, as Java's exporter names them. */
  bindSentinel(sentinel: SentinelMetricSource, now?: () => number): void {
    const app = str(this.properties(), 'csp.sentinel.prometheus.app') ?? this.opts.application;
    bindSentinelMetrics(this.meters, sentinel, app, now);
  }

  /** For `/actuator/info`. */
  info(): Record<string, unknown> {
    return { tracing: { enabled: this.current.enabled, exporters: this.current.exporters } };
  }

  start(): void {
    setDefaultScope(this);
  }

  async stop(): Promise<void> {
    await this.current.shutdown();
    this.logger.flush();
  }
}

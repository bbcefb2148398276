/**
 * Tracing for one service: an OpenTelemetry tracer provider named after the service, its
 * sampler and exporters chosen the way Spring Boot 3 chooses them, by properties:
 *
 *   management.tracing.enabled                 default true
 *   management.tracing.sampling.probability    default 0.1 (parent-based: a sampled parent wins)
 *   management.tracing.propagation.type        overrides both lists below
 *   management.tracing.propagation.consume     default W3C, B3, B3_MULTI
 *   management.tracing.propagation.produce     default W3C
 *   management.zipkin.tracing.endpoint         Zipkin v2 JSON, e.g. http://zipkin:9411/api/v2/spans
 *   management.zipkin.tracing.export.enabled   default true
 *   management.otlp.tracing.endpoint           OTLP/HTTP, e.g. http://collector:4318/v1/traces
 *   management.otlp.tracing.export.enabled     default true
 *   management.otlp.tracing.headers.<name>     headers sent with each export
 *
 * Unlike Boot, which exports to a default localhost Zipkin when zipkin is on the classpath, an
 * exporter here is on only when its endpoint is set: nothing is sent anywhere unasked.
 */
import type { Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type BufferConfig,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { installSilkContextManager } from './context-bridge.js';
import { ATTR_SERVICE_NAME, ROOT_CONTEXT } from './otel-api.js';
import { PROPAGATION_TYPES, TracePropagation, type PropagationType } from './propagation.js';
import { bool, enumValue, fraction, list, mapUnder, url, type Properties } from './properties.js';
import { SilkTracer } from './silk-tracer.js';
import { OtlpExport } from './otlp-export.js';
import { SdkExport, SpanPipeline, type SpanExport } from './span-pipeline.js';
import { ZipkinExport } from './zipkin-export.js';

export interface TracingOptions {
  /** spring.application.name: the `service.name` of every span. */
  serviceName: string;
  enabled?: boolean;
  /** 0..1; Spring Boot's default is 0.1. */
  samplingProbability?: number;
  consume?: readonly PropagationType[];
  produce?: readonly PropagationType[];
  zipkinEndpoint?: string;
  otlpEndpoint?: string;
  otlpHeaders?: Record<string, string>;
  /** Further exporters (tests, a custom backend); batched like the others. */
  exporters?: SpanExporter[];
  /** Export each span as it ends instead of in batches (tests). */
  exportImmediately?: boolean;
  batch?: BufferConfig;
}

export const DEFAULT_SAMPLING_PROBABILITY = 0.1;

function types(props: Properties, key: string): PropagationType[] | undefined {
  return list(props, key)?.map((t) => enumValue(key, t, PROPAGATION_TYPES));
}

/** Tracing options from Spring-named properties; throws a coded error on a value that cannot be used. */
export function tracingOptionsFrom(props: Properties, serviceName: string): TracingOptions {
  const override = types(props, 'management.tracing.propagation.type');
  const zipkinOn = bool(props, 'management.zipkin.tracing.export.enabled') ?? true;
  const otlpOn = bool(props, 'management.otlp.tracing.export.enabled') ?? true;
  const headers = Object.fromEntries(mapUnder(props, 'management.otlp.tracing.headers'));
  const opts: TracingOptions = {
    serviceName,
    enabled: bool(props, 'management.tracing.enabled') ?? true,
    samplingProbability:
      fraction(props, 'management.tracing.sampling.probability') ?? DEFAULT_SAMPLING_PROBABILITY,
  };
  const consume = override ?? types(props, 'management.tracing.propagation.consume');
  const produce = override ?? types(props, 'management.tracing.propagation.produce');
  if (consume) opts.consume = consume;
  if (produce) opts.produce = produce;
  const zipkin = url(props, 'management.zipkin.tracing.endpoint');
  const otlp = url(props, 'management.otlp.tracing.endpoint');
  if (zipkin && zipkinOn) opts.zipkinEndpoint = zipkin;
  if (otlp && otlpOn) opts.otlpEndpoint = otlp;
  if (Object.keys(headers).length > 0) opts.otlpHeaders = headers;
  return opts;
}

/** Whether a root span is sampled: Spring Boot's probability, on OTel's trace-id ratio. */
function rootSampler(probability: number): (traceId: string) => boolean {
  if (probability >= 1) return () => true;
  if (probability <= 0) return () => false;
  const ratio = new TraceIdRatioBasedSampler(probability);
  return (traceId) =>
    ratio.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

/**
 * The tracer is Silk's own (silk-tracer.ts) behind OpenTelemetry's API, and spans go to the
 * exporters through Silk's batching pipeline (span-pipeline.ts), Zipkin and OTLP encoded by
 * hand (zipkin-export.ts, otlp-export.ts): the SDK's provider, span, BatchSpanProcessor and
 * exporters cost several times the ≤ 10 % overhead budget (see those files). SDK
 * `SpanExporter`s (tests, custom backends) still plug in, fed ReadableSpans at export time.
 */
export class Tracing {
  readonly serviceName: string;
  readonly enabled: boolean;
  readonly propagation: TracePropagation;
  readonly tracer: Tracer;
  /** Where spans go, for health/info: `zipkin`, `otlp`, `custom`. */
  readonly exporters: string[] = [];
  private readonly pipeline: SpanPipeline | undefined;

  constructor(opts: TracingOptions) {
    installSilkContextManager();
    this.serviceName = opts.serviceName;
    this.enabled = opts.enabled ?? true;
    this.propagation = new TracePropagation({
      ...(opts.consume ? { consume: opts.consume } : {}),
      ...(opts.produce ? { produce: opts.produce } : {}),
    });
    if (!this.enabled) {
      // Span helpers skip a disabled Tracing altogether; this tracer only keeps the type total.
      this.tracer = new SilkTracer({ sink: undefined, sampleRoot: () => false });
      return;
    }
    const resourceAttributes = { [ATTR_SERVICE_NAME]: opts.serviceName };
    const resource = resourceFromAttributes(resourceAttributes);
    const exports: SpanExport[] = [];
    if (opts.zipkinEndpoint) {
      exports.push(new ZipkinExport(opts.zipkinEndpoint, opts.serviceName, resourceAttributes));
      this.exporters.push('zipkin');
    }
    if (opts.otlpEndpoint) {
      exports.push(new OtlpExport(opts.otlpEndpoint, resourceAttributes, opts.otlpHeaders ?? {}));
      this.exporters.push('otlp');
    }
    for (const e of opts.exporters ?? []) {
      exports.push(new SdkExport(e, resource));
      this.exporters.push('custom');
    }
    this.pipeline = new SpanPipeline(exports, opts.exportImmediately ?? false, opts.batch);
    this.tracer = new SilkTracer({
      sink: this.pipeline,
      sampleRoot: rootSampler(opts.samplingProbability ?? DEFAULT_SAMPLING_PROBABILITY),
    });
  }

  /** Exports what is buffered (before a test reads its receiver, before exit). */
  async flush(): Promise<void> {
    await this.pipeline?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.pipeline?.shutdown();
  }
}

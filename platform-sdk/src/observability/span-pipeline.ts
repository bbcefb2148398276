/**
 * Where ended spans go: batches to each export (Zipkin, OTLP, custom SDK exporters), the way
 * the SDK's BatchSpanProcessor does it and with its defaults — but a full batch is sent from a
 * setImmediate, not from inside the `span.end()` that filled it, so the POST never runs inside
 * a request's handling (spans ending in that same turn of the event loop join the batch, which
 * is bounded by the queue size instead); and exports are ours, encoding straight to the wire
 * format (see zipkin-export.ts) instead of through the SDK's ReadableSpan.
 *
 * Exports run outside any request's context and with tracing suppressed, so an instrumented
 * HTTP client under them neither traces the export nor keeps a request's context alive.
 */
import { ROOT_CONTEXT, context, diag } from './otel-api.js';
import type { SpanContext } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { BufferConfig, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { toHrTime, type SilkSpan, type SpanSink } from './silk-span.js';

/**
 * One destination. Each ended span is `add`ed to the batch being gathered (the Zipkin export
 * encodes it right away, so spans do not outlive their request in a queue: holding 512 of
 * them until the batch left made them survive young-generation GCs, a cost of its own);
 * `flush` sends that batch. A send never rejects: a failed batch is reported and dropped,
 * as the SDK does.
 */
export interface SpanExport {
  add(span: SilkSpan): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

// BatchSpanProcessor's defaults.
const DEFAULT_QUEUE = 2048;
const DEFAULT_BATCH = 512;
const DEFAULT_DELAY_MS = 5000;
// Batches allowed on the wire at once; past that, spans wait (and past the queue size, drop).
const MAX_SENDS = 2;

export class SpanPipeline implements SpanSink {
  private gathered = 0;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly delayMs: number;
  private readonly flushNow = (): void => {
    this.soon = undefined;
    this.timer = undefined;
    this.send();
  };
  /** Spans dropped because the queue was full (export slower than traffic). */
  dropped = 0;

  constructor(
    private readonly exports: readonly SpanExport[],
    private readonly immediate = false,
    batch: BufferConfig = {},
  ) {
    this.maxQueue = batch.maxQueueSize ?? DEFAULT_QUEUE;
    this.maxBatch = Math.min(batch.maxExportBatchSize ?? DEFAULT_BATCH, this.maxQueue);
    this.delayMs = batch.scheduledDelayMillis ?? DEFAULT_DELAY_MS;
  }

  onEnd(span: SilkSpan): void {
    if (this.gathered >= this.maxQueue) {
      this.dropped++;
      return;
    }
    for (const e of this.exports) e.add(span);
    this.gathered++;
    if (this.immediate) this.send();
    else this.schedule();
  }

  /** A full batch goes at the next turn of the event loop; a partial one after the delay. */
  private schedule(): void {
    if (this.gathered >= this.maxBatch) this.soon ??= setImmediate(this.flushNow);
    else if (this.gathered > 0 && this.timer === undefined) {
      this.timer = setTimeout(this.flushNow, this.delayMs);
      this.timer.unref();
    }
  }

  private send(): void {
    if (this.gathered === 0) return;
    if (this.inFlight.size >= MAX_SENDS && !this.immediate) {
      // The next send that settles takes what has gathered meanwhile.
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.gathered = 0;
    context.with(suppressTracing(ROOT_CONTEXT), () => {
      for (const e of this.exports) {
        const p: Promise<void> = e.flush().finally(() => {
          this.inFlight.delete(p);
          this.schedule();
        });
        this.inFlight.add(p);
      }
    });
  }

  /** Sends what has gathered and waits for every send under way. */
  async forceFlush(): Promise<void> {
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    for (;;) {
      if (this.inFlight.size < MAX_SENDS) this.send();
      if (this.inFlight.size === 0) return;
      await Promise.race(this.inFlight);
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    await Promise.all(this.exports.map((e) => e.shutdown()));
  }
}

/** A SilkSpan as the SDK's ReadableSpan, for SDK exporters (tests' in-memory one, OTLP). */
export function toReadableSpan(span: SilkSpan, resource: Resource): ReadableSpan {
  const durationUs = Math.round((span.endAt - span.startAt) * 1000);
  const parent: SpanContext | undefined =
    span.parentSpanId === undefined
      ? undefined
      : {
          traceId: span.traceId,
          spanId: span.parentSpanId,
          traceFlags: 1,
          isRemote: span.parentRemote,
          ...(span.traceState ? { traceState: span.traceState } : {}),
        };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: parent,
    startTime: toHrTime(span.startAt),
    endTime: toHrTime(span.endAt),
    status: span.status,
    attributes: span.attributes ?? {},
    links: span.links ?? [],
    events: (span.events ?? []).map((e) => ({
      name: e.name,
      time: toHrTime(e.time),
      ...(e.attributes ? { attributes: e.attributes } : {}),
    })),
    duration: [Math.floor(durationUs / 1e6), (durationUs % 1e6) * 1000],
    ended: true,
    resource,
    instrumentationScope: { name: 'silk' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** An SDK SpanExporter behind our pipeline. */
export class SdkExport implements SpanExport {
  private batch: SilkSpan[] = [];

  constructor(
    private readonly exporter: SpanExporter,
    private readonly resource: Resource,
  ) {}

  add(span: SilkSpan): void {
    this.batch.push(span);
  }

  flush(): Promise<void> {
    const spans = this.batch;
    this.batch = [];
    if (spans.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Called synchronously, as the SDK's SimpleSpanProcessor does: an in-memory exporter
      // holds the span as soon as it ends.
      this.exporter.export(
        spans.map((s) => toReadableSpan(s, this.resource)),
        (result) => {
          if (result.code !== ExportResultCode.SUCCESS)
            diag.error('silk: span export failed', result.error ?? 'unknown error');
          resolve();
        },
      );
    });
  }

  async shutdown(): Promise<void> {
    await this.exporter.shutdown();
  }
}

/**
 * The tracer behind `Tracing`: OpenTelemetry's API `Tracer`, parent-based sampling as Spring
 * Boot configures it (a parent's sampled flag wins; a root is sampled by probability), and
 * spans that are `SilkSpan`s handed to a `SpanSink` when they end.
 *
 * Ids come from a pooled random buffer, hex-encoded 4 KiB at a time: the SDK's generator
 * fills and hex-encodes a fresh Buffer per id, which was a measurable part of its span start.
 */
import { randomFillSync } from 'node:crypto';
import { SpanKind, TraceFlags, context, createContextKey, isSpanContextValid, trace } from './otel-api.js';
import type { Context, Span, SpanContext, SpanOptions, Tracer } from '@opentelemetry/api';
import { SilkSpan, toPerfMs, type SpanSink } from './silk-span.js';

// The SDK's key (a registered symbol): exporters and HTTP instrumentations mark their own
// requests with it, and no span may be recorded under it.
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const INVALID_PARENT: SpanContext = {
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceFlags: TraceFlags.NONE,
};

const POOL_BYTES = 4096;
const ZERO_SPAN_ID = '0000000000000000';
const ZERO_TRACE_ID = ZERO_SPAN_ID + ZERO_SPAN_ID;

/** Random lowercase-hex ids, sliced from one pool string refilled when used up. */
export class IdPool {
  private readonly bytes = Buffer.allocUnsafe(POOL_BYTES);
  private hex = '';
  private pos = 0;

  private take(chars: number): string {
    if (this.pos + chars > this.hex.length) {
      randomFillSync(this.bytes);
      this.hex = this.bytes.toString('hex');
      this.pos = 0;
    }
    const id = this.hex.slice(this.pos, this.pos + chars);
    this.pos += chars;
    return id;
  }

  spanId(): string {
    let id = this.take(16);
    // All zeros is the invalid id; 1 in 2^64, but never send one.
    while (id === ZERO_SPAN_ID) id = this.take(16);
    return id;
  }

  traceId(): string {
    let id = this.take(32);
    while (id === ZERO_TRACE_ID) id = this.take(32);
    return id;
  }
}

export interface SilkTracerOptions {
  /** Where recorded spans go; none means tracing is off and nothing is ever recorded. */
  sink: SpanSink | undefined;
  /** Whether a root span (no valid parent) with this trace id is sampled. */
  sampleRoot: (traceId: string) => boolean;
}

export class SilkTracer implements Tracer {
  private readonly ids = new IdPool();
  private readonly sink: SpanSink | undefined;
  private readonly sampleRoot: (traceId: string) => boolean;

  constructor(opts: SilkTracerOptions) {
    this.sink = opts.sink;
    this.sampleRoot = opts.sampleRoot;
  }

  startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    if (ctx.getValue(SUPPRESS_TRACING) === true) return trace.wrapSpanContext(INVALID_PARENT);
    let parent = options?.root ? undefined : trace.getSpanContext(ctx);
    if (parent !== undefined && !isSpanContextValid(parent)) parent = undefined;
    const traceId = parent ? parent.traceId : this.ids.traceId();
    const spanId = this.ids.spanId();
    const sampled =
      this.sink !== undefined &&
      (parent ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0 : this.sampleRoot(traceId));
    if (!sampled) {
      return trace.wrapSpanContext(
        parent?.traceState
          ? { traceId, spanId, traceFlags: TraceFlags.NONE, traceState: parent.traceState }
          : { traceId, spanId, traceFlags: TraceFlags.NONE },
      );
    }
    const start = options?.startTime === undefined ? performance.now() : toPerfMs(options.startTime);
    const span = new SilkSpan(
      this.sink,
      traceId,
      spanId,
      parent,
      name,
      options?.kind ?? SpanKind.INTERNAL,
      start,
    );
    if (options?.attributes) span.setAttributes(options.attributes);
    if (options?.links) span.addLinks(options.links);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') [options, fn] = [a, b];
    else [options, ctx, fn] = [a, b, c!];
    const parent = ctx ?? context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span) as ReturnType<F>);
  }
}

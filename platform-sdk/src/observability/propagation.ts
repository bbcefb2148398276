/**
 * Trace context on the wire, in the formats a Spring estate speaks: W3C `traceparent` /
 * `tracestate` (Spring Boot 3, Micrometer Tracing), and B3 — the single `b3` header and the
 * multi-header `X-B3-TraceId` / `X-B3-SpanId` / `X-B3-Sampled` that Spring Cloud Sleuth sends.
 *
 * The types and defaults are Spring Boot's `management.tracing.propagation.*`: `consume` is
 * every format (tried in the order W3C, B3, B3_MULTI; the first that matches wins), `produce`
 * is W3C alone. Whatever came in, the Silk context keeps the W3C form, so a transport that only
 * copies `traceparent` still propagates a trace that started under Sleuth.
 */
import { ROOT_CONTEXT, trace } from './otel-api.js';
import type {
  Context,
  SpanContext,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { SilkContext } from '../core/index.js';

/** Spring Boot's `TracingProperties.Propagation.PropagationType`. */
export type PropagationType = 'W3C' | 'B3' | 'B3_MULTI';
export const PROPAGATION_TYPES: readonly PropagationType[] = ['W3C', 'B3', 'B3_MULTI'];

/** Headers, Dubbo attachments or RocketMQ properties: string values, any key case. */
export type Carrier = Record<string, string | string[] | undefined>;

/** Reads keys case-insensitively: Dubbo attachments and MQ properties keep the sender's case. */
export const carrierGetter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const exact = carrier[key];
    if (exact !== undefined) return exact;
    const lower = key.toLowerCase();
    for (const k of Object.keys(carrier)) if (k.toLowerCase() === lower) return carrier[k];
    return undefined;
  },
};

const carrierSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => void (carrier[key] = value),
};

function propagatorFor(type: PropagationType): TextMapPropagator {
  switch (type) {
    case 'W3C':
      return new W3CTraceContextPropagator();
    case 'B3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'B3_MULTI':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
  }
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

export interface PropagationOptions {
  consume?: readonly PropagationType[];
  produce?: readonly PropagationType[];
}

export class TracePropagation {
  readonly consume: readonly PropagationType[];
  readonly produce: readonly PropagationType[];
  private readonly extractors: TextMapPropagator[];
  private readonly injector: TextMapPropagator;

  constructor(opts: PropagationOptions = {}) {
    this.consume = opts.consume ?? PROPAGATION_TYPES;
    this.produce = opts.produce ?? ['W3C'];
    // B3 and B3_MULTI share one extractor, which reads the single header first, then the multi.
    const consumeB3 = this.consume.includes('B3') || this.consume.includes('B3_MULTI');
    this.extractors = [
      ...(this.consume.includes('W3C') ? [propagatorFor('W3C')] : []),
      ...(consumeB3 ? [propagatorFor('B3')] : []),
    ];
    this.injector = new CompositePropagator({ propagators: this.produce.map(propagatorFor) });
  }

  /** The remote parent in `carrier` as an OTel context, or ROOT when there is none. */
  extract(carrier: Carrier): Context {
    for (const p of this.extractors) {
      const ctx = p.extract(ROOT_CONTEXT, carrier, carrierGetter);
      if (trace.getSpanContext(ctx)) return ctx;
    }
    return ROOT_CONTEXT;
  }

  /**
   * `extract` for Node's inbound HTTP headers (names already lower case): with none of the
   * trace headers present — most requests at an edge — no propagator runs at all. Each
   * propagator's miss scanned every header name for a case-insensitive match, ~0.3 µs a request.
   */
  extractHeaders(headers: Carrier): Context {
    if (
      headers.traceparent === undefined &&
      headers.b3 === undefined &&
      headers['x-b3-traceid'] === undefined
    )
      return ROOT_CONTEXT;
    return this.extract(headers);
  }

  /** The remote parent in `carrier` as the Silk context's W3C fields (empty when there is none). */
  extractToSilk(carrier: Carrier): Pick<SilkContext, 'traceparent' | 'tracestate'> {
    const sc = trace.getSpanContext(this.extract(carrier));
    if (!sc) return {};
    const state = sc.traceState?.serialize();
    return state
      ? { traceparent: formatTraceparent(sc), tracestate: state }
      : { traceparent: formatTraceparent(sc) };
  }

  /** Writes the span context of `ctx` into `carrier` in every produced format. */
  inject(ctx: Context, carrier: Record<string, string>): void {
    this.injector.inject(ctx, carrier, carrierSetter);
  }

  fields(): string[] {
    return [...new Set([...this.extractors, this.injector].flatMap((p) => p.fields()))];
  }
}

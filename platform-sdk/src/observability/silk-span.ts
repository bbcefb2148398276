/**
 * A span as small as the OpenTelemetry API lets it be: ids, a name, two clock readings, and
 * attributes, events and links only once something sets them. It implements the API's `Span`,
 * so instrumentation and user code written against `@opentelemetry/api` use it unchanged.
 *
 * Why not the SDK's `Span`: on the tracing-overhead bench the SDK's span start cost ~1.2 µs
 * (id generation through a Buffer per id, attribute sanitising and limits, HrTime pairs,
 * the resource and scope on every span, its self-metrics hook) — the whole ≤ 10 % budget on
 * a trivial route is ~1.7 µs per request for everything tracing does.
 */
import { SpanStatusCode } from './otel-api.js';
import type {
  Attributes,
  AttributeValue,
  Exception,
  HrTime,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanStatus,
  TimeInput,
  TraceState,
} from '@opentelemetry/api';

/** Where ended spans go (the batching pipeline). */
export interface SpanSink {
  onEnd(span: SilkSpan): void;
}

export interface SpanEvent {
  name: string;
  /** performance.now() milliseconds, like the span's own times. */
  time: number;
  attributes: Attributes | undefined;
}

const timeOrigin = performance.timeOrigin;
// Shared by every span until one sets a status (setStatus replaces it, never mutates it).
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/** A TimeInput (epoch ms, HrTime or Date) as performance.now() milliseconds. */
export function toPerfMs(t: TimeInput): number {
  if (typeof t === 'number') return t - timeOrigin;
  if (t instanceof Date) return t.getTime() - timeOrigin;
  return t[0] * 1000 + t[1] / 1e6 - timeOrigin;
}

/** Epoch microseconds of a performance.now() reading (Zipkin's unit). */
export function epochMicros(perfMs: number): number {
  return Math.round((timeOrigin + perfMs) * 1000);
}

/** Epoch nanoseconds as a decimal string (OTLP's unit, beyond a double's integer range). */
export function epochNanos(perfMs: number): string {
  const us = epochMicros(perfMs);
  return `${us}000`;
}

export function toHrTime(perfMs: number): HrTime {
  const us = epochMicros(perfMs);
  return [Math.floor(us / 1e6), (us % 1e6) * 1000];
}

function isAttributeValue(v: unknown): v is AttributeValue {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || (Array.isArray(v) && v.length >= 0);
}

export class SilkSpan implements Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: TraceState | undefined;
  /** The parent's span id when there is one; `parentRemote` tells whether it came over the wire. */
  readonly parentSpanId: string | undefined;
  readonly parentRemote: boolean;
  name: string;
  readonly kind: SpanKind;
  readonly startAt: number;
  /** -1 while the span runs. */
  endAt = -1;
  attributes: Attributes | undefined;
  events: SpanEvent[] | undefined;
  links: Link[] | undefined;
  status: SpanStatus = UNSET;
  private sc: SpanContext | undefined;
  private readonly sink: SpanSink;

  constructor(
    sink: SpanSink,
    traceId: string,
    spanId: string,
    parent: SpanContext | undefined,
    name: string,
    kind: SpanKind,
    start: number,
  ) {
    this.sink = sink;
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceState = parent?.traceState;
    this.parentSpanId = parent?.spanId;
    this.parentRemote = parent?.isRemote === true;
    this.name = name;
    this.kind = kind;
    this.startAt = start;
  }

  spanContext(): SpanContext {
    // Built on first ask: many spans are never asked (a server span only ends).
    return (this.sc ??= this.traceState
      ? { traceId: this.traceId, spanId: this.spanId, traceFlags: 1, traceState: this.traceState }
      : { traceId: this.traceId, spanId: this.spanId, traceFlags: 1 });
  }

  setAttribute(key: string, value: AttributeValue): this {
    // Like the SDK: null/undefined and non-primitive values are dropped, not stringified.
    if (this.endAt < 0 && key.length > 0 && isAttributeValue(value)) (this.attributes ??= {})[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endAt >= 0) return this;
    let attributes: Attributes | undefined;
    if (
      attributesOrTime instanceof Date ||
      typeof attributesOrTime === 'number' ||
      Array.isArray(attributesOrTime)
    )
      time ??= attributesOrTime;
    else attributes = attributesOrTime;
    const at = time === undefined ? performance.now() : toPerfMs(time);
    (this.events ??= []).push({ name, time: at, attributes });
    return this;
  }

  addLink(link: Link): this {
    if (this.endAt < 0) (this.links ??= []).push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // The SDK's rules: UNSET changes nothing, OK is final, a message belongs to ERROR only.
    if (this.endAt >= 0 || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK)
      return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.endAt < 0) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endAt >= 0) return;
    const at = endTime === undefined ? performance.now() : toPerfMs(endTime);
    this.endAt = at < this.startAt ? this.startAt : at;
    this.sink.onEnd(this);
  }

  isRecording(): boolean {
    return this.endAt < 0;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      const type = exception.code ?? exception.name;
      if (type !== undefined && type !== '') attributes['exception.type'] = String(type);
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined)
      this.addEvent('exception', attributes, time);
  }
}

/**
 * OTLP/HTTP JSON (`POST /v1/traces`), written straight from SilkSpans: the document the
 * OpenTelemetry OTLP/HTTP exporter sends (one resource, one scope, hex ids, nanosecond times
 * as decimal strings, kind offset by one, typed attribute values, span flags with the
 * parent's remote bit), so a collector sees no difference.
 *
 * Why by hand: the SDK exporter needs a ReadableSpan per span, then builds the OTLP object
 * tree and JSON.stringify's it — the same per-span work the Zipkin export was measured
 * spending ~2.3 µs a request on; it also loads the OTel metrics and logs SDKs (~130 modules).
 */
import type { Attributes, Link } from '@opentelemetry/api';
import { JsonBytes } from './json-bytes.js';
import { epochNanos, type SilkSpan } from './silk-span.js';
import { EncodedExport, JsonPoster } from './span-poster.js';

// OTLP span flags: bit 8 says the remote bit (9) is known.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

export class OtlpEncoder {
  private readonly out = new JsonBytes();
  private count = 0;
  private readonly head: Buffer;

  constructor(resource: Attributes, scopeName = 'silk') {
    const w = new JsonBytes(256);
    w.raw('{"resourceSpans":[{"resource":{"attributes":');
    OtlpEncoder.attributes(w, resource);
    w.raw(',"droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":');
    w.str(scopeName);
    w.raw('},"spans":[');
    this.head = w.take();
  }

  private static value(w: JsonBytes, v: unknown): void {
    if (typeof v === 'string') {
      w.raw('{"stringValue":');
      w.str(v);
    } else if (typeof v === 'number') {
      w.raw(Number.isInteger(v) ? '{"intValue":' : '{"doubleValue":');
      w.raw(JSON.stringify(v));
    } else if (typeof v === 'boolean') {
      w.raw(v ? '{"boolValue":true' : '{"boolValue":false');
    } else if (Array.isArray(v)) {
      w.raw('{"arrayValue":{"values":[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) w.byte(0x2c);
        OtlpEncoder.value(w, v[i]);
      }
      w.raw(']}');
    } else {
      w.byte(0x7b);
    }
    w.byte(0x7d);
  }

  private static attributes(w: JsonBytes, attributes: Attributes | undefined): void {
    w.byte(0x5b);
    let first = true;
    for (const key in attributes) {
      w.raw(first ? '{"key":' : ',{"key":');
      first = false;
      w.str(key);
      w.raw(',"value":');
      OtlpEncoder.value(w, attributes[key]);
      w.byte(0x7d);
    }
    w.byte(0x5d);
  }

  private link(l: Link): void {
    const o = this.out;
    o.raw('{"attributes":');
    OtlpEncoder.attributes(o, l.attributes);
    o.raw(',"spanId":');
    o.str(l.context.spanId);
    o.raw(',"traceId":');
    o.str(l.context.traceId);
    const state = l.context.traceState?.serialize();
    if (state !== undefined) {
      o.raw(',"traceState":');
      o.str(state);
    }
    o.raw(',"droppedAttributesCount":');
    o.int(l.droppedAttributesCount ?? 0);
    o.raw(',"flags":');
    o.int((l.context.traceFlags & 0xff) | HAS_IS_REMOTE | (l.context.isRemote ? IS_REMOTE : 0));
    o.byte(0x7d);
  }

  private span(s: SilkSpan): void {
    const o = this.out;
    o.raw('{"traceId":"');
    o.raw(s.traceId);
    o.raw('","spanId":"');
    o.raw(s.spanId);
    if (s.parentSpanId !== undefined) {
      o.raw('","parentSpanId":"');
      o.raw(s.parentSpanId);
    }
    o.byte(0x22);
    const state = s.traceState?.serialize();
    if (state !== undefined) {
      o.raw(',"traceState":');
      o.str(state);
    }
    o.raw(',"name":');
    o.str(s.name);
    o.raw(',"kind":');
    o.int(s.kind + 1);
    o.raw(',"startTimeUnixNano":"');
    o.raw(epochNanos(s.startAt));
    o.raw('","endTimeUnixNano":"');
    o.raw(epochNanos(s.endAt));
    o.raw('","attributes":');
    OtlpEncoder.attributes(o, s.attributes);
    o.raw(',"droppedAttributesCount":0,"events":[');
    const events = s.events ?? [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      o.raw(i > 0 ? ',{"attributes":' : '{"attributes":');
      OtlpEncoder.attributes(o, e.attributes);
      o.raw(',"name":');
      o.str(e.name);
      o.raw(',"timeUnixNano":"');
      o.raw(epochNanos(e.time));
      o.raw('","droppedAttributesCount":0}');
    }
    o.raw('],"droppedEventsCount":0,"status":{"code":');
    o.int(s.status.code);
    if (s.status.message !== undefined) {
      o.raw(',"message":');
      o.str(s.status.message);
    }
    o.raw('},"links":[');
    const links = s.links ?? [];
    for (let i = 0; i < links.length; i++) {
      if (i > 0) o.byte(0x2c);
      this.link(links[i]!);
    }
    o.raw('],"droppedLinksCount":0,"flags":');
    o.int(1 | HAS_IS_REMOTE | (s.parentRemote ? IS_REMOTE : 0));
    o.byte(0x7d);
  }

  add(s: SilkSpan): void {
    if (this.count++ === 0) this.out.bytes(this.head);
    else this.out.byte(0x2c);
    this.span(s);
  }

  /** The request body for the spans added since the last take; none when there are none. */
  take(): Buffer | undefined {
    if (this.count === 0) return undefined;
    this.out.raw(']}]}]}');
    this.count = 0;
    return this.out.take();
  }
}

/** OTLP/HTTP JSON batches POSTed to `url` (`/v1/traces`) with the configured headers. */
export class OtlpExport extends EncodedExport {
  constructor(url: string, resource: Attributes, headers: Record<string, string> = {}) {
    super(new OtlpEncoder(resource), new JsonPoster(url, headers, 10_000), 'otlp');
  }
}

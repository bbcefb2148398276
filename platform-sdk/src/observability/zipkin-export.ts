/**
 * Zipkin v2 JSON (`POST /api/v2/spans`), written straight from SilkSpans: the same document
 * the OpenTelemetry Zipkin exporter sends (ids, `kind` except for INTERNAL, microsecond
 * `timestamp`/`duration`, `localEndpoint.serviceName`, attributes and the resource's as
 * string `tags`, `otel.status_code` and `error` for a failed span, events as `annotations`).
 *
 * Why by hand: the SDK exporter builds a ReadableSpan, then a Zipkin object and a tags
 * object per span, then JSON.stringify's the lot; on the tracing-overhead bench its export
 * was ~2.3 µs of server CPU per request, more than the whole ≤ 10 % budget (~1.7 µs). Here
 * each span is written as bytes into one reused buffer (json-bytes.ts), and batches share a
 * keep-alive connection.
 */
import { SpanKind, SpanStatusCode } from './otel-api.js';
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { JsonBytes } from './json-bytes.js';
import { EncodedExport, JsonPoster } from './span-poster.js';
import { epochMicros, type SilkSpan } from './silk-span.js';

const KIND: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: '"',
  [SpanKind.SERVER]: '","kind":"SERVER"',
  [SpanKind.CLIENT]: '","kind":"CLIENT"',
  [SpanKind.PRODUCER]: '","kind":"PRODUCER"',
  [SpanKind.CONSUMER]: '","kind":"CONSUMER"',
};

/** A tag's text as String() gives it, which is what the SDK exporter sends (arrays comma-joined). */
function text(v: AttributeValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? '' : String(x))).join(',');
  return String(v);
}

/** Encodes spans for one service; the resource's attributes become every span's last tags. */
export class ZipkinEncoder {
  private readonly out = new JsonBytes();
  private count = 0;
  private readonly endpoint: Buffer;
  private readonly resourceTags: Buffer;
  private readonly resourceKeys: ReadonlySet<string>;

  constructor(serviceName: string, resource: Attributes) {
    this.endpoint = Buffer.from(`,"localEndpoint":{"serviceName":${JSON.stringify(serviceName)}},"tags":{`);
    this.resourceKeys = new Set(Object.keys(resource));
    const tags = Object.entries(resource).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(text(v))}`);
    this.resourceTags = Buffer.from(tags.join(','));
  }

  private tag(first: boolean, key: string, value: string): false {
    const o = this.out;
    if (!first) o.byte(0x2c);
    o.str(key);
    o.byte(0x3a);
    o.str(value);
    return false;
  }

  private span(s: SilkSpan): void {
    const o = this.out;
    o.raw('{"traceId":"');
    o.raw(s.traceId);
    if (s.parentSpanId !== undefined) {
      o.raw('","parentId":"');
      o.raw(s.parentSpanId);
    }
    o.raw('","name":');
    o.str(s.name);
    o.raw(',"id":"');
    o.raw(s.spanId);
    o.raw(KIND[s.kind]);
    o.raw(',"timestamp":');
    o.int(epochMicros(s.startAt));
    o.raw(',"duration":');
    o.int(Math.round((s.endAt - s.startAt) * 1000));
    const a = s.attributes;
    const own = a?.['service.name'];
    if (own === undefined || own === null) o.bytes(this.endpoint);
    else {
      o.raw(',"localEndpoint":{"serviceName":');
      o.str(text(own));
      o.raw('},"tags":{');
    }
    let first = true;
    for (const key in a) {
      const v = a[key];
      if (v === undefined || v === null || this.resourceKeys.has(key)) continue;
      first = this.tag(first, key, typeof v === 'string' ? v : text(v));
    }
    const status = s.status;
    if (status.code !== SpanStatusCode.UNSET)
      first = this.tag(first, 'otel.status_code', status.code === SpanStatusCode.ERROR ? 'ERROR' : 'OK');
    if (status.code === SpanStatusCode.ERROR && status.message)
      first = this.tag(first, 'error', status.message);
    if (this.resourceTags.length > 0) {
      if (!first) o.byte(0x2c);
      o.bytes(this.resourceTags);
    }
    o.byte(0x7d);
    const events = s.events;
    if (events !== undefined && events.length > 0) {
      o.raw(',"annotations":[');
      for (let i = 0; i < events.length; i++) {
        o.raw(i > 0 ? ',{"timestamp":' : '{"timestamp":');
        o.int(epochMicros(events[i]!.time));
        o.raw(',"value":');
        o.str(events[i]!.name);
        o.byte(0x7d);
      }
      o.byte(0x5d);
    }
    o.byte(0x7d);
  }

  /** Appends one span to the batch being written. */
  add(s: SilkSpan): void {
    this.out.byte(this.count++ === 0 ? 0x5b : 0x2c);
    this.span(s);
  }

  /** The batch written so far as JSON bytes (an array), and a fresh batch begun; none when empty. */
  take(): Buffer | undefined {
    if (this.count === 0) return undefined;
    this.out.byte(0x5d);
    this.count = 0;
    return this.out.take();
  }

  /** Spans as one JSON array. */
  encode(spans: readonly SilkSpan[]): Buffer {
    for (const s of spans) this.add(s);
    return this.take() ?? Buffer.from('[]');
  }
}

/** Zipkin v2 JSON batches POSTed to `url` (`/api/v2/spans`). */
export class ZipkinExport extends EncodedExport {
  constructor(url: string, serviceName: string, resource: Attributes) {
    super(new ZipkinEncoder(serviceName, resource), new JsonPoster(url), 'zipkin');
  }
}

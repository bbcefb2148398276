import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonBytes } from './json-bytes.js';
import type { SilkSpan } from './silk-span.js';
import { SilkTracer } from './silk-tracer.js';
import { sampleSpans, startCollector, type Collector } from './span-test-support.js';
import { SpanPipeline, toReadableSpan, type SpanExport } from './span-pipeline.js';
import { ZipkinEncoder, ZipkinExport } from './zipkin-export.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

let collector: Collector;
let base = '';
beforeAll(async () => {
  collector = await startCollector();
  base = collector.base;
});
afterAll(() => collector.close());

function collected(from: number): unknown[][] {
  return collector.bodies.slice(from) as unknown[][];
}

async function viaSdkExporter(spans: SilkSpan[]): Promise<unknown[]> {
  const before = collector.bodies.length;
  const resource = resourceFromAttributes({ 'service.name': 'order-service' });
  const sdk = new ZipkinExporter({ url: `${base}/api/v2/spans`, serviceName: 'order-service' });
  await new Promise((r) =>
    sdk.export(
      spans.map((s) => toReadableSpan(s, resource)),
      r,
    ),
  );
  await sdk.shutdown();
  return collected(before).flat();
}

describe('Zipkin v2 JSON written by hand', () => {
  it('is the document the OpenTelemetry Zipkin exporter sends for the same spans', async () => {
    const spans = sampleSpans();
    const ours = JSON.parse(
      new ZipkinEncoder('order-service', { 'service.name': 'order-service' }).encode(spans).toString(),
    ) as unknown[];
    expect(ours).toHaveLength(4);
    expect(ours).toEqual(await viaSdkExporter(spans));
    expect(ours[1]).toMatchObject({ parentId: spans[0]!.spanId, tags: { error: 'stock "low"' } });
  });

  it('JsonBytes writes strings and integers as JSON.stringify does', () => {
    const out = new JsonBytes(4);
    const strings = ['', 'plain', 'q"uote', 'back\\slash', 'ctl\u0001\t', 'é', '🎉', '\ud800 lone'];
    const ints = [0, 7, 10, 99, 1000, 12345678, 1e8, 100000005, 1795757044658149, 2 ** 53 - 1];
    out.byte(0x5b);
    strings.forEach((s) => (out.str(s), out.byte(0x2c)));
    ints.forEach((n, i) => (out.int(n), i < ints.length - 1 && out.byte(0x2c)));
    out.byte(0x5d);
    expect(out.take().toString()).toBe(JSON.stringify([...strings, ...ints]));
  });
});

describe('SpanPipeline', () => {
  function counting(): SpanExport & { adds: number; flushes: number[] } {
    const e = {
      adds: 0,
      pending: 0,
      flushes: [] as number[],
      add() {
        e.adds++;
        e.pending++;
      },
      flush() {
        e.flushes.push(e.pending);
        e.pending = 0;
        return Promise.resolve();
      },
      shutdown: () => Promise.resolve(),
    };
    return e;
  }
  const span = (): SilkSpan => sampleSpans()[3]!;

  it('sends a full batch at the next turn of the event loop, not inside span.end', async () => {
    const e = counting();
    const p = new SpanPipeline([e], false, { maxExportBatchSize: 3, scheduledDelayMillis: 60_000 });
    for (let i = 0; i < 3; i++) p.onEnd(span());
    expect(e.flushes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(e.flushes).toEqual([3]);
  });

  it('sends a partial batch after the delay, and everything on forceFlush', async () => {
    const e = counting();
    const p = new SpanPipeline([e], false, { maxExportBatchSize: 100, scheduledDelayMillis: 20 });
    p.onEnd(span());
    await new Promise((r) => setTimeout(r, 60));
    expect(e.flushes).toEqual([1]);
    p.onEnd(span());
    await p.forceFlush();
    expect(e.flushes).toEqual([1, 1]);
  });

  it('drops spans past the queue size and counts them', () => {
    const e = counting();
    const p = new SpanPipeline([e], false, {
      maxQueueSize: 4,
      maxExportBatchSize: 4,
      scheduledDelayMillis: 60_000,
    });
    for (let i = 0; i < 6; i++) p.onEnd(span());
    expect(e.adds).toBe(4);
    expect(p.dropped).toBe(2);
  });

  it('POSTs batches to Zipkin and survives an endpoint that fails', async () => {
    const before = collector.bodies.length;
    const zipkin = new ZipkinExport(`${base}/api/v2/spans`, 'order-service', {
      'service.name': 'order-service',
    });
    const p = new SpanPipeline([zipkin], false, { maxExportBatchSize: 2, scheduledDelayMillis: 60_000 });
    // Spans ended in one turn of the event loop join one batch; a full batch goes at the next turn.
    for (const n of [2, 2]) {
      for (let i = 0; i < n; i++) p.onEnd(span());
      await new Promise((r) => setImmediate(r));
    }
    p.onEnd(span());
    await p.forceFlush();
    expect(collected(before).map((b) => b.length)).toEqual([2, 2, 1]);
    collector.failing = true;
    try {
      p.onEnd(span());
      await p.forceFlush();
    } finally {
      collector.failing = false;
    }
    expect(collector.bodies.length).toBe(before + 3);
    await p.shutdown();
  });

  it('keeps the trace id of a continued trace on the wire', async () => {
    const before = collector.bodies.length;
    const zipkin = new ZipkinExport(`${base}/api/v2/spans`, 'svc', { 'service.name': 'svc' });
    const p = new SpanPipeline([zipkin], true);
    const tracer = new SilkTracer({ sink: p, sampleRoot: () => false });
    const parent = {
      getValue: () => ({
        spanContext: () => ({ traceId: TRACE, spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true }),
      }),
    };
    tracer.startSpan('continued', {}, parent as never).end();
    await p.shutdown();
    expect(collector.bodies[before]).toEqual([
      expect.objectContaining({ traceId: TRACE, parentId: '00f067aa0ba902b7' }),
    ]);
  });
});

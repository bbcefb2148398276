import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpEncoder, OtlpExport } from './otlp-export.js';
import { SpanPipeline, toReadableSpan } from './span-pipeline.js';
import { sampleSpans, startCollector, type Collector } from './span-test-support.js';
import { Tracing } from './tracing.js';

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(() => collector.close());

describe('OTLP/HTTP JSON written by hand', () => {
  it('is the document the OpenTelemetry OTLP/HTTP exporter sends for the same spans', async () => {
    const spans = sampleSpans();
    const resource = { 'service.name': 'order-service' };
    const encoder = new OtlpEncoder(resource);
    for (const s of spans) encoder.add(s);
    const ours = JSON.parse(encoder.take()!.toString()) as unknown;

    const before = collector.bodies.length;
    const sdk = new OTLPTraceExporter({ url: `${collector.base}/v1/traces` });
    const sdkResource = resourceFromAttributes(resource);
    await new Promise((r) =>
      sdk.export(
        spans.map((s) => toReadableSpan(s, sdkResource)),
        r,
      ),
    );
    await sdk.shutdown();
    expect(collector.bodies.slice(before)).toEqual([ours]);
    // The failing child: parent, link, event, error status and typed values all present.
    expect(JSON.stringify(ours)).toContain('"doubleValue":0.25');
    expect(encoder.take()).toBeUndefined();
  });

  it('a Tracing configured with an OTLP endpoint posts its spans there, with the configured headers', async () => {
    const before = collector.bodies.length;
    const tracing = new Tracing({
      serviceName: 'order-service',
      samplingProbability: 1,
      otlpEndpoint: `${collector.base}/v1/traces`,
      otlpHeaders: { authorization: 'Bearer x' },
    });
    expect(tracing.exporters).toEqual(['otlp']);
    tracing.tracer.startSpan('after the edit').end();
    await tracing.shutdown();
    const body = JSON.stringify(collector.bodies.slice(before));
    expect(body).toContain('after the edit');
    expect(body).toContain('"stringValue":"order-service"');
    expect(collector.headers).toMatchObject({
      authorization: 'Bearer x',
      'content-type': 'application/json',
    });
  });

  it('sends a batch per flush through the pipeline', async () => {
    const before = collector.bodies.length;
    const p = new SpanPipeline(
      [new OtlpExport(`${collector.base}/v1/traces`, { 'service.name': 's' })],
      true,
    );
    for (const s of sampleSpans()) p.onEnd(s);
    await p.shutdown();
    const got = collector.bodies.slice(before) as {
      resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
    }[];
    expect(got.map((b) => b.resourceSpans[0]!.scopeSpans[0]!.spans.length)).toEqual([1, 1, 1, 1]);
  });
});

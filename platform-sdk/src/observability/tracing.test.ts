import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { currentContext, runWithContext, withContext } from '../core/index.js';
import { TracePropagation } from './propagation.js';
import { extractTraceContext, injectTraceContext, withSpan, withTracing } from './spans.js';
import { Tracing, tracingOptionsFrom } from './tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function tracingWithMemory(extra: Partial<ConstructorParameters<typeof Tracing>[0]> = {}) {
  const exporter = new InMemorySpanExporter();
  const tracing = new Tracing({
    serviceName: 'order-service',
    samplingProbability: 1,
    exporters: [exporter],
    exportImmediately: true,
    ...extra,
  });
  return { tracing, exporter };
}

describe('trace context on the wire', () => {
  const p = new TracePropagation();

  it('reads W3C, B3 single and B3 multi (as Sleuth sends it) into a traceparent', () => {
    expect(
      p.extractToSilk({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'congo=t61rcWkgMzE' }),
    ).toEqual({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      tracestate: 'congo=t61rcWkgMzE',
    });
    expect(p.extractToSilk({ b3: `${TRACE}-${SPAN}-1` })).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
    // Sleuth's 64-bit trace ids and header case as Java writes them into attachments.
    expect(
      p.extractToSilk({ 'X-B3-TraceId': 'a3ce929d0e0e4736', 'X-B3-SpanId': SPAN, 'X-B3-Sampled': '0' }),
    ).toEqual({ traceparent: `00-0000000000000000a3ce929d0e0e4736-${SPAN}-00` });
  });

  it('takes W3C first when both are present, and ignores garbage', () => {
    const other = 'a'.repeat(32);
    expect(
      p.extractToSilk({ traceparent: `00-${TRACE}-${SPAN}-01`, b3: `${other}-${SPAN}-1` }).traceparent,
    ).toContain(TRACE);
    expect(p.extractToSilk({ traceparent: 'junk', b3: 'also-junk' })).toEqual({});
    expect(p.extractToSilk({})).toEqual({});
  });

  it('consumes only what it is told to', () => {
    const w3cOnly = new TracePropagation({ consume: ['W3C'] });
    expect(w3cOnly.extractToSilk({ b3: `${TRACE}-${SPAN}-1` })).toEqual({});
  });
});

describe('spans and the Silk context', () => {
  it('a span made active becomes the Silk context traceparent, and withContext keeps the live span', () => {
    const { tracing, exporter } = tracingWithMemory();
    runWithContext({ traceparent: `00-${TRACE}-${SPAN}-01`, xid: 'x1' }, () =>
      withTracing(tracing, () =>
        withSpan('GET /orders/{id}', { kind: SpanKind.SERVER }, (span) => {
          const sc = span!.spanContext();
          expect(sc.traceId).toBe(TRACE);
          expect(currentContext()?.traceparent).toBe(`00-${TRACE}-${sc.spanId}-01`);
          expect(currentContext()?.xid).toBe('x1');
          withContext({ origin: 'gateway' }, () => {
            expect(trace.getActiveSpan()).toBe(span);
            withSpan('child', {}, () => undefined);
          });
        }),
      ),
    );
    const [child, server] = exporter.getFinishedSpans();
    expect(server!.parentSpanContext?.spanId).toBe(SPAN);
    expect(child!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
  });

  it('injects the current span in the produced formats; B3 in, traceparent and b3 out', () => {
    const { tracing } = tracingWithMemory({ produce: ['W3C', 'B3', 'B3_MULTI'] });
    const headers: Record<string, string> = {};
    let spanId = '';
    runWithContext(extractTraceContext({ b3: `${TRACE}-${SPAN}-1` }), () =>
      withTracing(tracing, () =>
        withSpan('call', { kind: SpanKind.CLIENT }, (span) => {
          spanId = span!.spanContext().spanId;
          injectTraceContext(headers);
        }),
      ),
    );
    expect(headers.traceparent).toBe(`00-${TRACE}-${spanId}-01`);
    expect(headers.b3).toBe(`${TRACE}-${spanId}-1`);
    expect(headers['x-b3-traceid']).toBe(TRACE);
  });

  it('passes an inbound traceparent on unchanged when no tracing is in force', () => {
    const headers: Record<string, string> = {};
    runWithContext({ traceparent: `00-${TRACE}-${SPAN}-01` }, () => injectTraceContext(headers));
    expect(headers.traceparent).toBe(`00-${TRACE}-${SPAN}-01`);
  });

  it('marks a rejected span as an error and rethrows', async () => {
    const { tracing, exporter } = tracingWithMemory();
    await expect(
      withTracing(tracing, () =>
        withSpan('boom', {}, async () => {
          await Promise.resolve();
          throw new Error('nope');
        }),
      ),
    ).rejects.toThrow('nope');
    expect(exporter.getFinishedSpans()[0]!.status.code).toBe(2);
  });

  it('samples by probability at the root and follows a sampled parent', () => {
    const { tracing, exporter } = tracingWithMemory({ samplingProbability: 0 });
    withTracing(tracing, () => withSpan('root', {}, () => undefined));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    runWithContext({ traceparent: `00-${TRACE}-${SPAN}-01` }, () =>
      withTracing(tracing, () => withSpan('child', {}, () => undefined)),
    );
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});

describe('tracing properties as Spring Boot names them', () => {
  it('reads management.tracing.* and the exporters, relaxed', () => {
    const opts = tracingOptionsFrom(
      new Map<string, unknown>([
        ['management.tracing.sampling.probability', '1.0'],
        ['management.tracing.propagation.produce', 'w3c, b3-multi'],
        ['management.zipkin.tracing.endpoint', 'http://zipkin:9411/api/v2/spans'],
        ['management.otlp.tracing.endpoint', 'http://collector:4318/v1/traces'],
        ['management.otlp.tracing.export.enabled', false],
        ['management.otlp.tracing.headers.authorization', 'Bearer x'],
      ]),
      'svc',
    );
    expect(opts).toMatchObject({
      samplingProbability: 1,
      produce: ['W3C', 'B3_MULTI'],
      zipkinEndpoint: 'http://zipkin:9411/api/v2/spans',
      otlpHeaders: { authorization: 'Bearer x' },
    });
    expect(opts.otlpEndpoint).toBeUndefined();
    expect(opts.consume).toBeUndefined();
  });

  it('type overrides consume and produce; YAML lists work; defaults are Spring Boot 3 ones', () => {
    const opts = tracingOptionsFrom(
      new Map<string, unknown>([
        ['management.tracing.propagation.type[0]', 'B3'],
        ['management.tracing.propagation.consume', 'W3C'],
      ]),
      'svc',
    );
    expect(opts.consume).toEqual(['B3']);
    expect(opts.produce).toEqual(['B3']);
    expect(tracingOptionsFrom(new Map(), 'svc')).toEqual({
      serviceName: 'svc',
      enabled: true,
      samplingProbability: 0.1,
    });
  });

  it('rejects values that cannot mean anything, with a coded error', () => {
    for (const [k, v] of [
      ['management.tracing.sampling.probability', '2'],
      ['management.tracing.propagation.type', 'JAEGER'],
      ['management.zipkin.tracing.endpoint', 'zipkin:9411'],
      ['management.tracing.enabled', 'yes'],
    ] as const) {
      expect(() => tracingOptionsFrom(new Map([[k, v]]), 'svc')).toThrow(
        expect.objectContaining({ code: 'SILK_OBSERVABILITY_CONFIG_INVALID' }),
      );
    }
  });
});

import type { Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { installSilkContextManager } from './context-bridge.js';
import { LinkedContext } from './linked-context.js';
// The copies Silk uses (otel-api.ts), so identity checks compare like with like.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, createContextKey, trace } from './otel-api.js';
import { TracePropagation } from './propagation.js';
import { SilkSpan } from './silk-span.js';
import { IdPool, SilkTracer } from './silk-tracer.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function recording(sampleRoot = true) {
  const ended: SilkSpan[] = [];
  const tracer = new SilkTracer({ sink: { onEnd: (s) => ended.push(s) }, sampleRoot: () => sampleRoot });
  return { tracer, ended };
}

function remoteParent(flags: number): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: flags,
    isRemote: true,
  });
}

describe('IdPool', () => {
  it('hands out lowercase hex ids of W3C length, none repeated across pool refills', () => {
    const ids = new IdPool();
    const seen = new Set<string>();
    // 4 KiB of random bytes is 512 span ids: this crosses several refills.
    for (let i = 0; i < 3000; i++) {
      const span = ids.spanId();
      const t = ids.traceId();
      expect(span).toMatch(/^[0-9a-f]{16}$/);
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      seen.add(span);
    }
    expect(seen.size).toBe(3000);
  });
});

describe('SilkTracer', () => {
  it('continues a sampled remote parent: same trace, parent span id, remote flag', () => {
    const { tracer, ended } = recording(false);
    const span = tracer.startSpan('GET /orders/{id}', { kind: SpanKind.SERVER }, remoteParent(1));
    expect(span).toBeInstanceOf(SilkSpan);
    expect(span.spanContext()).toMatchObject({ traceId: TRACE, traceFlags: 1 });
    span.end();
    expect(ended[0]).toMatchObject({
      traceId: TRACE,
      parentSpanId: SPAN,
      parentRemote: true,
      kind: SpanKind.SERVER,
    });
  });

  it('follows an unsampled parent and does not record, whatever the root sampler says', () => {
    const { tracer, ended } = recording(true);
    const span = tracer.startSpan('x', {}, remoteParent(0));
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.spanContext().spanId).not.toBe(SPAN);
    span.end();
    expect(ended).toHaveLength(0);
  });

  it('samples roots by the root sampler; `root: true` ignores the parent', () => {
    expect(recording(false).tracer.startSpan('r', {}, ROOT_CONTEXT).isRecording()).toBe(false);
    const { tracer } = recording(true);
    const root = tracer.startSpan('r', { root: true }, remoteParent(1));
    expect(root.spanContext().traceId).not.toBe(TRACE);
    expect(root.isRecording()).toBe(true);
  });

  it('records nothing under suppressed tracing (exports, instrumented exporters), nor when off', () => {
    const { tracer } = recording(true);
    expect(tracer.startSpan('x', {}, suppressTracing(remoteParent(1))).isRecording()).toBe(false);
    const off = new SilkTracer({ sink: undefined, sampleRoot: () => true });
    expect(off.startSpan('x', {}, remoteParent(1)).isRecording()).toBe(false);
  });

  it('startActiveSpan makes the span current for its callback (all three call forms)', () => {
    installSilkContextManager();
    const { tracer } = recording(true);
    const a = tracer.startActiveSpan('a', (s) => trace.getActiveSpan() === s);
    const b = tracer.startActiveSpan('b', { kind: SpanKind.CLIENT }, (s) => trace.getActiveSpan() === s);
    const c = tracer.startActiveSpan('c', {}, remoteParent(1), (s) => {
      return trace.getActiveSpan() === s && s.spanContext().traceId === TRACE;
    });
    expect([a, b, c]).toEqual([true, true, true]);
  });
});

describe('SilkSpan follows the SDK span rules', () => {
  it('keeps valid attributes, drops null ones, and freezes everything once ended', () => {
    const { tracer, ended } = recording();
    const span = tracer.startSpan('x', { attributes: { a: 1, list: ['p', 'q'] } });
    span.setAttribute('b', 'two').setAttribute('nothing', null);
    span.setAttributes({ c: true });
    span.end();
    span.setAttribute('late', 1).updateName('renamed').setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(ended).toHaveLength(1);
    expect(ended[0]!.attributes).toEqual({ a: 1, list: ['p', 'q'], b: 'two', c: true });
    expect(ended[0]!.name).toBe('x');
    expect(ended[0]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('status: UNSET changes nothing, OK is final, a message only with ERROR', () => {
    const { tracer } = recording();
    const a = tracer.startSpan('a') as SilkSpan;
    a.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' }).setStatus({ code: SpanStatusCode.UNSET });
    expect(a.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    const b = tracer.startSpan('b') as SilkSpan;
    b.setStatus({ code: SpanStatusCode.OK, message: 'ignored' }).setStatus({ code: SpanStatusCode.ERROR });
    expect(b.status).toEqual({ code: SpanStatusCode.OK });
  });

  it('records an exception as the `exception` event with type, message and stack', () => {
    const { tracer } = recording();
    const span = tracer.startSpan('x') as SilkSpan;
    span.recordException(new TypeError('bad input'));
    span.recordException('plain text');
    expect(span.events!.map((e) => e.name)).toEqual(['exception', 'exception']);
    expect(span.events![0]!.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
    });
    expect(span.events![0]!.attributes!['exception.stacktrace']).toContain('bad input');
    expect(span.events![1]!.attributes).toEqual({ 'exception.message': 'plain text' });
  });

  it('takes explicit start and end times (epoch ms, Date, HrTime) in order', () => {
    const { tracer, ended } = recording();
    const t0 = Date.now();
    const span = tracer.startSpan('x', { startTime: new Date(t0) });
    span.end([Math.floor((t0 + 250) / 1000), ((t0 + 250) % 1000) * 1e6]);
    const s = ended[0]!;
    expect(s.endAt - s.startAt).toBeCloseTo(250, 0);
  });
});

describe('LinkedContext', () => {
  const A = createContextKey('a');
  const B = createContextKey('b');

  it('reads its own key, then its parents', () => {
    const base = ROOT_CONTEXT.setValue(A, 'base-a');
    const ctx = LinkedContext.with(base, B, 'b').setValue(A, 'a2');
    expect(ctx.getValue(A)).toBe('a2');
    expect(ctx.getValue(B)).toBe('b');
    expect(ctx.deleteValue(B).getValue(B)).toBeUndefined();
    expect(base.getValue(B)).toBeUndefined();
  });

  it('folds long chains back into a Map context, newest value winning', () => {
    let ctx: Context = LinkedContext.with(ROOT_CONTEXT, A, 0);
    for (let i = 1; i <= 20; i++) ctx = ctx.setValue(i % 2 === 0 ? A : B, i);
    expect(ctx.getValue(A)).toBe(20);
    expect(ctx.getValue(B)).toBe(19);
    expect(ctx).not.toBeInstanceOf(LinkedContext);
    expect(
      trace
        .getSpan(trace.setSpan(ctx, trace.wrapSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: 1 })))
        ?.spanContext().spanId,
    ).toBe(SPAN);
  });

  it('carries the active span through context.with like the API context', () => {
    installSilkContextManager();
    const { tracer } = recording();
    const span = tracer.startSpan('x');
    const ctx = trace.setSpan(LinkedContext.with(ROOT_CONTEXT, A, 'scope'), span);
    context.with(ctx, () => {
      expect(trace.getActiveSpan()).toBe(span);
      expect(context.active().getValue(A)).toBe('scope');
    });
  });
});

describe('TracePropagation.extractHeaders', () => {
  const p = new TracePropagation();

  it('is ROOT without trace headers, and reads W3C, B3 and B3 multi when present', () => {
    expect(p.extractHeaders({ host: 'x', accept: '*/*' })).toBe(ROOT_CONTEXT);
    const w3c = p.extractHeaders({ traceparent: `00-${TRACE}-${SPAN}-01` });
    expect(trace.getSpanContext(w3c)).toMatchObject({ traceId: TRACE, spanId: SPAN, isRemote: true });
    expect(trace.getSpanContext(p.extractHeaders({ b3: `${TRACE}-${SPAN}-1` }))?.traceId).toBe(TRACE);
    const multi = p.extractHeaders({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    expect(trace.getSpanContext(multi)?.spanId).toBe(SPAN);
  });
});

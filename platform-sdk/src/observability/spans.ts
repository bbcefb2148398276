/**
 * The hooks every transport calls — HTTP here, and Dubbo, RocketMQ, the gateway and
 * transactions as they land. None of them needs a handle on the service: the Tracing in force
 * is the one of the service handling the current request (carried in the context by the
 * server side), else the process default (the last service started).
 *
 *   inbound:  runWithContext({ ...extractTraceContext(carrier), xid }, () =>
 *               withSpan('dubbo OrderService/create', { kind: SpanKind.SERVER }, handler))
 *   outbound: withSpan('dubbo OrderService/create', { kind: SpanKind.CLIENT }, () => {
 *               injectTraceContext(attachments); return send(attachments); })
 */
import { SpanKind, SpanStatusCode, context, createContextKey, trace } from './otel-api.js';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { CONTEXT_KEYS, currentContext, type SilkContext } from '../core/index.js';
import { installSilkContextManager } from './context-bridge.js';
import { LinkedContext } from './linked-context.js';
import { TracePropagation, type Carrier } from './propagation.js';
import type { MeterRegistry } from './meter-registry.js';
import type { Tracing } from './tracing.js';

/** What a service observes with: its tracing and its meters. */
export interface ObservabilityScope {
  tracing?: Tracing;
  meters?: MeterRegistry;
}

const SCOPE_KEY = createContextKey('silk.observability');
const defaultPropagation = new TracePropagation();
let defaultScope: ObservabilityScope | undefined;

/** Makes `scope` the one used outside any request (the last service started sets it). */
export function setDefaultScope(scope: ObservabilityScope | undefined): void {
  installSilkContextManager();
  defaultScope = scope;
}

export function currentScope(): ObservabilityScope | undefined {
  return (context.active().getValue(SCOPE_KEY) as ObservabilityScope | undefined) ?? defaultScope;
}

/**
 * The scope set by `withScope` around the caller, ignoring the process default: a server
 * captures it when it starts, since socket data events do not carry the listen-time context.
 */
export function scopeInContext(): ObservabilityScope | undefined {
  return context.active().getValue(SCOPE_KEY) as ObservabilityScope | undefined;
}

export function currentTracing(): Tracing | undefined {
  return currentScope()?.tracing;
}

/** The meters of the service handling the current request; transports record their timers here. */
export function currentMeters(): MeterRegistry | undefined {
  return currentScope()?.meters;
}

/** `ctx` with `scope` in force (the server side puts its service's scope in each request). */
export function contextWithScope(ctx: Context, scope: ObservabilityScope): Context {
  return LinkedContext.with(ctx, SCOPE_KEY, scope);
}

/** Runs `fn` with `scope` in force for everything it calls. */
export function withScope<T>(scope: ObservabilityScope, fn: () => T): T {
  installSilkContextManager();
  return context.with(contextWithScope(context.active(), scope), fn);
}

/** Runs `fn` with `tracing` in force (and no meters): tests and tools. */
export function withTracing<T>(tracing: Tracing, fn: () => T): T {
  return withScope({ tracing }, fn);
}

/** The trace context found in `carrier` (any consumed format), in the Silk context's W3C fields. */
export function extractTraceContext(carrier: Carrier): Pick<SilkContext, 'traceparent' | 'tracestate'> {
  return (currentTracing()?.propagation ?? defaultPropagation).extractToSilk(carrier);
}

/**
 * Writes the current trace context into `carrier` in every produced format (W3C by default;
 * B3 too when `management.tracing.propagation.produce` says so). Outside any span, a
 * `traceparent` that came in is passed on unchanged (W3C), so tracing off still keeps the trace whole.
 */
export function injectTraceContext(carrier: Record<string, string>): void {
  installSilkContextManager();
  const tracing = currentTracing();
  (tracing?.propagation ?? defaultPropagation).inject(context.active(), carrier);
  const silk = currentContext();
  if (carrier[CONTEXT_KEYS.traceparent] === undefined && silk?.traceparent) {
    carrier[CONTEXT_KEYS.traceparent] = silk.traceparent;
    if (silk.tracestate) carrier[CONTEXT_KEYS.tracestate] = silk.tracestate;
  }
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent other than the current context (a server span's remote parent). */
  parent?: Context;
}

function recordError(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * Runs `fn` inside a new span, child of the current one, and ends it when `fn` returns or its
 * promise settles; a throw or rejection marks the span as an error and is rethrown. With no
 * Tracing in force, or tracing disabled, `fn` runs as it is.
 */
export function withSpan<T>(name: string, opts: SpanOptions, fn: (span: Span | undefined) => T): T {
  const tracing = currentTracing();
  if (!tracing?.enabled) return fn(undefined);
  const parent = opts.parent ?? context.active();
  const span = tracing.tracer.startSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) },
    parent,
  );
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    recordError(span, err);
    span.end();
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (v: unknown) => (span.end(), v),
      (err: unknown) => {
        recordError(span, err);
        span.end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** How an inbound span ends: attributes known only at the end (status code), and whether it failed. */
export interface InboundSpanEnd {
  attributes?: Attributes;
  error?: boolean;
}

/**
 * Runs `fn` in a SERVER span continuing the trace found in `carrier` (any consumed format),
 * with `scope` in force — unless a span is already active (a server mounted inside another's
 * request, such as the gateway on a service's Fastify app): then `fn` runs in that one.
 * `end` is read when `fn` settles.
 */
export async function withInboundSpan<T>(
  name: string,
  carrier: Carrier,
  opts: { scope?: ObservabilityScope | undefined; attributes?: Attributes; end?: () => InboundSpanEnd },
  fn: () => Promise<T>,
): Promise<T> {
  installSilkContextManager();
  const scope = opts.scope ?? currentScope();
  const tracing = scope?.tracing;
  const active = context.active();
  if (!scope || !tracing?.enabled || trace.getSpan(active) !== undefined)
    return opts.scope ? context.with(contextWithScope(active, opts.scope), fn) : fn();
  const parent = contextWithScope(tracing.propagation.extract(carrier), scope);
  const span = tracing.tracer.startSpan(
    name,
    { kind: SpanKind.SERVER, ...(opts.attributes ? { attributes: opts.attributes } : {}) },
    parent,
  );
  let failed: unknown;
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    failed = err;
    throw err;
  } finally {
    const end = opts.end?.() ?? {};
    if (end.attributes) span.setAttributes(end.attributes);
    if (failed !== undefined) recordError(span, failed);
    else if (end.error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}

/** The ids the log lines and error bodies show: the active span's, else the inbound traceparent's. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  const sc = trace.getSpanContext(context.active());
  if (sc) return { traceId: sc.traceId, spanId: sc.spanId };
  const tp = currentContext()?.traceparent;
  const parsed = tp ? parseTraceParent(tp) : null;
  return parsed ? { traceId: parsed.traceId, spanId: parsed.spanId } : undefined;
}

/**
 * A Sentinel block as a span: an error span named `sentinel.block <resource>` under the
 * current one, so a trace shows where a request was refused and by which rule.
 */
export function recordSentinelBlock(block: {
  resource: string;
  kind: string;
  limitApp?: string;
  rule?: object;
}): void {
  withSpan(
    `sentinel.block ${block.resource}`,
    {
      attributes: {
        'sentinel.resource': block.resource,
        'sentinel.block.kind': block.kind,
        ...(block.limitApp ? { 'sentinel.limit_app': block.limitApp } : {}),
        ...(block.rule ? { 'sentinel.rule': JSON.stringify(block.rule) } : {}),
      },
    },
    (span) => span?.setStatus({ code: SpanStatusCode.ERROR, message: `blocked by ${block.kind} rule` }),
  );
}

/**
 * One request context, not two. OpenTelemetry keeps its active span in a ContextManager of its
 * own; here that manager is backed by Silk's `core/` context, so the active span and the Silk
 * context's `traceparent`/`tracestate` are the same fact:
 *
 * - making a span active (`context.with`) runs the callback in a Silk context whose
 *   `traceparent` is that span's — so a transport that copies `traceparent` out (HTTP headers,
 *   Dubbo attachments, RocketMQ properties) sends the right parent without knowing OTel;
 * - a Silk context opened by a transport with an inbound `traceparent` (`runWithContext`) is,
 *   to OTel, a context whose remote parent is that traceparent — spans started inside become
 *   its children.
 *
 * The OTel context (with the live Span and the service's Tracing in it) rides in the Silk context
 * under a symbol key, so `withContext({ xid })` inside a span keeps it; a Silk context whose
 * `traceparent` was replaced by a transport is read from that `traceparent` instead.
 */
import { ROOT_CONTEXT, context, trace } from './otel-api.js';
import type { Context, ContextManager } from '@opentelemetry/api';
import { TraceState, parseTraceParent } from '@opentelemetry/core';
import { currentContext, runWithContext, withContext, type SilkContext } from '../core/index.js';
import { formatTraceparent } from './propagation.js';

const kOtel = Symbol('silk.otel');

interface Bridged {
  [kOtel]?: { ctx: Context; traceparent: string | undefined };
}

// Parsing a transport's traceparent once per Silk context object, not once per span.
const parsed = new WeakMap<object, Context>();

function fromSilk(silk: Readonly<SilkContext>): Context {
  if (!silk.traceparent) return ROOT_CONTEXT;
  const parsed = parseTraceParent(silk.traceparent);
  if (!parsed) return ROOT_CONTEXT;
  const sc = silk.tracestate ? { ...parsed, traceState: new TraceState(silk.tracestate) } : parsed;
  return trace.setSpanContext(ROOT_CONTEXT, { ...sc, isRemote: true });
}

export class SilkContextManager implements ContextManager {
  active(): Context {
    const silk = currentContext();
    if (!silk) return ROOT_CONTEXT;
    const bridged = (silk as Bridged)[kOtel];
    if (bridged && bridged.traceparent === silk.traceparent) return bridged.ctx;
    let ctx = parsed.get(silk);
    if (ctx === undefined) {
      ctx = fromSilk(silk);
      parsed.set(silk, ctx);
    }
    return ctx;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const sc = trace.getSpanContext(ctx);
    const traceparent = sc ? formatTraceparent(sc) : undefined;
    const patch: Pick<SilkContext, 'traceparent' | 'tracestate'> & Bridged = {
      traceparent,
      tracestate: sc?.traceState?.serialize() || undefined,
      [kOtel]: { ctx, traceparent },
    };
    const run = (): ReturnType<F> => fn.apply(thisArg, args);
    return currentContext() ? withContext(patch, run) : runWithContext(patch, run);
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as (...a: unknown[]) => unknown;
    const run = <R>(f: () => R): R => this.with(ctx, f);
    return function (this: unknown, ...args: unknown[]) {
      return run(() => fn.apply(this, args));
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}

/**
 * Opens a request's Silk context (`base`: XID, caller...) with `ctx` as its OTel context in
 * one step — one AsyncLocalStorage scope per request instead of one per layer. A span in
 * `ctx` sets `traceparent`/`tracestate`; without one, `base`'s are kept (pass-through).
 */
export function runWithOtelContext<T>(base: SilkContext, ctx: Context, fn: () => T): T {
  const sc = trace.getSpanContext(ctx);
  const silk: SilkContext & Bridged = { ...base };
  if (sc) {
    silk.traceparent = formatTraceparent(sc);
    const state = sc.traceState?.serialize();
    if (state) silk.tracestate = state;
    else delete silk.tracestate;
  }
  silk[kOtel] = { ctx, traceparent: silk.traceparent };
  return runWithContext(silk, fn);
}

let installed: boolean | undefined;

/**
 * Registers the Silk-backed manager as OTel's global context manager, once per process.
 * False when another manager was registered first (an app running the OTel NodeSDK itself):
 * spans still link through `traceparent`, but the two contexts are then kept separately.
 */
export function installSilkContextManager(): boolean {
  installed ??= context.setGlobalContextManager(new SilkContextManager());
  return installed;
}

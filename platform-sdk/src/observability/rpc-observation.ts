/**
 * A Dubbo call observed as Dubbo 3's Micrometer observation filters observe it
 * (`ObservationSenderFilter` on the consumer, `ObservationReceiverFilter` on the provider):
 *
 * - spans named `<interface>/<method>` (Dubbo's contextual name), CLIENT on the consumer —
 *   one per call, across its cluster retries, as Dubbo's filter is a cluster filter — and
 *   SERVER on the provider, with `rpc.system=apache_dubbo`, `rpc.service`, `rpc.method`;
 * - the trace context crossing in the attachments, in every produced format (a Java provider
 *   under Brave reads `b3`/`X-B3-*`, under OTel `traceparent`), and read back from them in
 *   every consumed format;
 * - timers `rpc.client.duration` / `rpc.server.duration` (Micrometer's DefaultMeterObservation-
 *   Handler: the observation's low-cardinality keys plus `error`), in Prometheus
 *   `rpc_client_duration_seconds{rpc_system,rpc_service,rpc_method,error}`.
 */
import { SpanKind } from './otel-api.js';
import { runWithContext, type SilkContext } from '../core/index.js';
import { exceptionTag } from './http-conventions.js';
import type { Carrier } from './propagation.js';
import {
  currentMeters,
  currentScope,
  extractTraceContext,
  injectTraceContext,
  withScope,
  withSpan,
  type ObservabilityScope,
} from './spans.js';

export const RPC_TAGS = ['rpc_system', 'rpc_service', 'rpc_method', 'error'] as const;
export type RpcTag = (typeof RPC_TAGS)[number];

/** Dubbo's `rpc.system` value. */
export const RPC_SYSTEM_DUBBO = 'apache_dubbo';

export interface RpcCallInfo {
  /** The Java interface: `com.acme.OrderService`. */
  service: string;
  method: string;
  /** `host:port` of the other side, when known. */
  peer?: string;
}

function attributes(info: RpcCallInfo): Record<string, string | number> {
  const attrs: Record<string, string | number> = {
    'rpc.system': RPC_SYSTEM_DUBBO,
    'rpc.service': info.service,
    'rpc.method': info.method,
  };
  if (info.peer) {
    const colon = info.peer.lastIndexOf(':');
    attrs['server.address'] = colon > 0 ? info.peer.slice(0, colon) : info.peer;
    if (colon > 0) attrs['server.port'] = Number(info.peer.slice(colon + 1));
  }
  return attrs;
}

async function timed<T>(side: 'client' | 'server', info: RpcCallInfo, fn: () => Promise<T>): Promise<T> {
  const meters = currentMeters();
  const started = performance.now();
  let error: unknown;
  try {
    return await fn();
  } catch (err) {
    error = err;
    throw err;
  } finally {
    meters?.timer(`rpc_${side}_duration`, `Dubbo ${side} call duration`, RPC_TAGS).record(
      {
        rpc_system: RPC_SYSTEM_DUBBO,
        rpc_service: info.service,
        rpc_method: info.method,
        error: exceptionTag(error),
      },
      (performance.now() - started) / 1000,
    );
  }
}

/**
 * A consumer call: `call` runs inside the CLIENT span and gets the attachments that carry its
 * context (merge them into the request's). The span and timer end when `call` settles.
 */
export function observeRpcClient<T>(
  info: RpcCallInfo,
  call: (traceAttachments: Record<string, string>) => Promise<T>,
): Promise<T> {
  return timed('client', info, () =>
    withSpan(
      `${info.service}/${info.method}`,
      { kind: SpanKind.CLIENT, attributes: attributes(info) },
      () => {
        const att: Record<string, string> = {};
        injectTraceContext(att);
        return call(att);
      },
    ),
  );
}

/**
 * A provider call: opens the caller's request context (`base`: XID, caller app; the trace
 * context read from `attachments` in any consumed format) and runs `handler` in a SERVER span.
 */
export function observeRpcServer<T>(
  info: RpcCallInfo,
  attachments: Readonly<Record<string, unknown>>,
  base: SilkContext,
  handler: () => Promise<T>,
  /** The provider's service scope (captured when it started); default the current one. */
  scope: ObservabilityScope | undefined = currentScope(),
): Promise<T> {
  // Attachment values are whatever Hessian decoded; only strings can carry a trace context.
  const carrier: Carrier = {};
  for (const [k, v] of Object.entries(attachments)) if (typeof v === 'string') carrier[k] = v;
  const { traceparent: _tp, tracestate: _ts, ...rest } = base;
  const ctx: SilkContext = { ...rest, ...extractTraceContext(carrier) };
  const serve = () =>
    timed('server', info, () =>
      withSpan(
        `${info.service}/${info.method}`,
        { kind: SpanKind.SERVER, attributes: attributes(info) },
        handler,
      ),
    );
  return runWithContext(ctx, () => (scope ? withScope(scope, serve) : serve()));
}

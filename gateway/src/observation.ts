/**
 * The gateway observed as Spring Cloud Gateway 4 on Boot 3 is:
 *
 * - a SERVER span per request (or the Fastify mount's, when `createService` already opened
 *   one), continuing the client's trace in any consumed format (W3C, B3);
 * - a CLIENT span around the proxied call, whose context replaces the client's trace headers
 *   on the upstream request — the upstream's SERVER span is its child, as behind SCG's
 *   observed Netty client;
 * - `spring.cloud.gateway.requests` (GatewayMetricsFilter) for every routed request, with the
 *   tags of GatewayRouteTagsProvider and GatewayHttpTagsProvider: `routeId`, `routeUri`,
 *   `outcome` (the HttpStatus series), `status` (the HttpStatus name), `httpStatusCode`,
 *   `httpMethod` — camelCase as SCG writes them, so its dashboards match;
 * - `http.server.requests` (Boot's ServerHttpObservationFilter, which SCG's proxied requests
 *   pass too) for requests the gateway takes past the web framework's own timing (the raw front
 *   and the node:http bypass): `uri` is `UNKNOWN` as for any request without a handler pattern
 *   (REDIRECTION / NOT_FOUND by status);
 * - the trace id on the access log line.
 *
 * With no tracing in force the gateway keeps its own W3C hop (`nextTraceparent`).
 */
import { STATUS_CODES } from 'node:http';
import {
  SERVER_TAGS,
  SpanKind,
  currentScope,
  exceptionTag,
  outcomeOf,
  uriTag,
  currentTraceIds,
  injectTraceContext,
  withInboundSpan,
  withSpan,
  type MeterRegistry,
  type ObservabilityScope,
} from '@silk/platform-sdk/observability';
import type { Exchange } from './exchange.js';
import type { Route } from './route/route-table.js';

export const GATEWAY_TAGS = [
  'routeId',
  'routeUri',
  'outcome',
  'status',
  'httpStatusCode',
  'httpMethod',
] as const;

// Trace headers of the client's hop, replaced by the gateway's CLIENT span on the way up.
const TRACE_HEADERS = [
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
];

// Spring's HttpStatus names where they differ from Node's reason phrases, and the codes Node
// names that Spring 6 has no constant for.
const SPRING_NAMES: Record<number, string> = {
  416: 'REQUESTED_RANGE_NOT_SATISFIABLE',
  418: 'I_AM_A_TEAPOT',
};
const NOT_IN_SPRING = new Set([421]);

/** HttpStatus.resolve(code).name(), or undefined for a code Spring has no constant for. */
export function httpStatusName(code: number): string | undefined {
  const override = SPRING_NAMES[code];
  if (override !== undefined) return override;
  const phrase = STATUS_CODES[code];
  if (phrase === undefined || NOT_IN_SPRING.has(code)) return undefined;
  return phrase
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

const SERIES = ['INFORMATIONAL', 'SUCCESSFUL', 'REDIRECTION', 'CLIENT_ERROR', 'SERVER_ERROR'];

/** GatewayHttpTagsProvider's tags for a response status. */
export function gatewayHttpTags(code: number, method: string): Record<(typeof GATEWAY_TAGS)[number], string> {
  const name = httpStatusName(code);
  const series = SERIES[Math.floor(code / 100) - 1];
  return {
    routeId: '',
    routeUri: '',
    outcome: name !== undefined && series !== undefined ? series : 'CUSTOM',
    status: name !== undefined && series !== undefined ? name : String(code),
    httpStatusCode: String(code),
    httpMethod: method,
  };
}

export class GatewayObservation {
  /** `scope`: the gateway service's tracing and meters; default the one in force per request. */
  constructor(private readonly scope?: ObservabilityScope) {}

  /** Tracing is on for the gateway's scope (or the one in force). */
  #tracing(): boolean {
    return (this.scope ?? currentScope())?.tracing?.enabled === true;
  }

  /** Runs the exchange inside a SERVER span, ended when `run` settles. */
  run(ex: Exchange, run: () => Promise<void>): Promise<void> {
    // Untraced (the common production default), the span machinery would only wrap `run` in
    // closures and a context switch per request; the trace id of a context the caller opened
    // (a Fastify mount's) still goes on the access log.
    if (!this.#tracing()) {
      ex.traceId = currentTraceIds()?.traceId ?? '';
      return run();
    }
    return withInboundSpan(
      ex.method,
      ex.req.headers,
      {
        scope: this.scope,
        attributes: { 'http.request.method': ex.method, 'url.path': ex.originalPath },
        end: () => ({
          attributes: {
            'http.response.status_code': ex.res.statusCode,
            ...(ex.routeId !== '' ? { 'http.route': ex.routeId } : {}),
          },
          error: ex.res.statusCode >= 500,
        }),
      },
      () => {
        ex.traceId = currentTraceIds()?.traceId ?? '';
        return run();
      },
    );
  }

  /** The proxied call in a CLIENT span whose context the upstream request carries. */
  forward(ex: Exchange, route: Route, call: () => Promise<void>): Promise<void> {
    if (!this.#tracing()) return call();
    return withSpan(
      `${ex.method} ${route.id}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': ex.method, 'server.address': route.definition.uri },
      },
      (span) => {
        if (span !== undefined) {
          for (const h of TRACE_HEADERS) delete ex.headers[h];
          const out: Record<string, string> = {};
          injectTraceContext(out);
          Object.assign(ex.headers, out);
        }
        return call().finally(() => {
          if (ex.upstreamStatus > 0) span?.setAttribute('http.response.status_code', ex.upstreamStatus);
        });
      },
    );
  }

  /** GatewayMetricsFilter's timer, for a request a route took (recorded once the answer is sent). */
  record(ex: Exchange, route: Route | undefined, seconds: number): void {
    if (route === undefined) return;
    const meters = (this.scope ?? currentScope())?.meters;
    if (meters === undefined) return;
    const tags = gatewayHttpTags(ex.res.statusCode, ex.method);
    tags.routeId = route.id;
    tags.routeUri = route.definition.uri;
    this.#timer(meters).record(tags, seconds);
  }

  /** http.server.requests, as the web framework records it for requests it handles itself. */
  recordServer(ex: Exchange, failure: unknown, seconds: number): void {
    const meters = (this.scope ?? currentScope())?.meters;
    if (meters === undefined) return;
    let t = this.#serverTimers.get(meters);
    if (t === undefined) {
      t = meters.timer('http_server_requests', 'Duration of HTTP server request handling', SERVER_TAGS);
      this.#serverTimers.set(meters, t);
    }
    const status = ex.res.statusCode;
    const exception = exceptionTag(failure);
    t.record(
      { method: ex.method, uri: uriTag(undefined, status), status: String(status), outcome: outcomeOf(status), exception, error: exception },
      seconds,
    );
  }

  #serverTimers = new WeakMap<MeterRegistry, ReturnType<MeterRegistry['timer']>>();

  // The registry looks a timer up by name; the gateway's one is kept per registry instead.
  #timers = new WeakMap<MeterRegistry, ReturnType<MeterRegistry['timer']>>();

  #timer(meters: MeterRegistry): ReturnType<MeterRegistry['timer']> {
    let t = this.#timers.get(meters);
    if (t === undefined) {
      t = meters.timer('spring_cloud_gateway_requests', 'Requests through the gateway', GATEWAY_TAGS);
      this.#timers.set(meters, t);
    }
    return t;
  }
}

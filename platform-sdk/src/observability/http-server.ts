/**
 * A Fastify server observed as Spring Boot 3 observes a Spring MVC one: each request runs in a
 * Silk context opened from its headers (trace context in any consumed format, Seata's
 * `TX_XID`), inside a SERVER span named `GET /orders/{id}`, and is timed into
 * `http_server_requests_seconds{method,uri,status,outcome,exception,error}`.
 *
 * The context is opened in the first `onRequest` hook with the callback form, so every later
 * hook (Sentinel's among them), the handler and everything they await run inside it.
 * Actuator requests are timed but not traced: probes and scrapes would bury real traffic.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from './otel-api.js';
import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CONTEXT_KEYS, type SilkContext } from '../core/index.js';
import { runWithOtelContext } from './context-bridge.js';
import { SERVER_TAGS, exceptionTag, outcomeOf, uriTag } from './http-conventions.js';
import { contextWithScope, type ObservabilityScope } from './spans.js';

/**
 * The scope is read at each request, so a Tracing rebuilt after a config change (a new
 * exporter from Nacos) takes over without re-registering hooks.
 */
export interface HttpServerObservation extends ObservabilityScope {
  /** Requests that get no span; default the Actuator endpoints. */
  untraced?: (url: string) => boolean;
}

interface RequestState {
  span: Span | undefined;
  error: unknown;
}

// On the request itself (a decorated property, so every request keeps one shape): cheaper than
// a WeakMap lookup per hook, which the benchmark showed.
const kState = Symbol('silk.observation');
type Observed = FastifyRequest & { [kState]: RequestState | null };
const XID_HEADER = CONTEXT_KEYS.xid.toLowerCase();
// Attributes are set on the span, not passed in options: the tracer would copy them over.
const SERVER_SPAN = { kind: SpanKind.SERVER } as const;

/** The Silk context of an inbound request: XID always; the trace fields only when passed through. */
function inboundContext(request: FastifyRequest, passThroughTrace: boolean): SilkContext {
  const headers = request.headers;
  const xid = headers[XID_HEADER];
  const ctx: SilkContext = {};
  if (passThroughTrace && typeof headers.traceparent === 'string') {
    ctx.traceparent = headers.traceparent;
    if (typeof headers.tracestate === 'string') ctx.tracestate = headers.tracestate;
  }
  if (typeof xid === 'string' && xid !== '') ctx.xid = xid;
  return ctx;
}

export function observeHttpServer(app: FastifyInstance, opts: HttpServerObservation): void {
  app.decorateRequest(kState, null);
  // Route templates are few: compute Spring's spelling once per route.
  const templates = new Map<string, string>();
  const templateOf = (route: string): string => {
    let t = templates.get(route);
    if (t === undefined) templates.set(route, (t = uriTag(route, 200)));
    return t;
  };
  // Span names (`GET /orders/{id}`) too, per method and route: one string fewer per request.
  const spanNames = new Map<string, Map<string, string>>();
  const spanNameOf = (method: string, template: string): string => {
    let byMethod = spanNames.get(template);
    if (byMethod === undefined) spanNames.set(template, (byMethod = new Map<string, string>()));
    let name = byMethod.get(method);
    if (name === undefined) byMethod.set(method, (name = `${method} ${template}`));
    return name;
  };
  const untraced = opts.untraced ?? ((url: string) => url.startsWith('/actuator'));
  const scope: ObservabilityScope = opts;
  // The scope object is fixed (its tracing is read per request), so its root context is too.
  const scopedRoot = contextWithScope(ROOT_CONTEXT, scope);
  const timer = opts.meters?.timer(
    'http_server_requests',
    'Duration of HTTP server request handling',
    SERVER_TAGS,
  );

  app.addHook('onRequest', (request, _reply, done) => {
    const state: RequestState = { span: undefined, error: undefined };
    (request as Observed)[kState] = state;
    const tracing = scope.tracing;
    if (!tracing?.enabled || untraced(request.url)) {
      // No span of ours: a W3C parent is passed on as it came.
      const base = inboundContext(request, true);
      runWithOtelContext(base, scopedRoot, done);
      return;
    }
    const remote = tracing.propagation.extractHeaders(request.headers);
    const parent = remote === ROOT_CONTEXT ? scopedRoot : contextWithScope(remote, scope);
    const route = request.routeOptions.url;
    const template = route === undefined ? undefined : templateOf(route);
    const url = request.url;
    const query = url.indexOf('?');
    const span = tracing.tracer.startSpan(
      template === undefined ? request.method : spanNameOf(request.method, template),
      SERVER_SPAN,
      parent,
    );
    span.setAttribute(ATTR_HTTP_REQUEST_METHOD, request.method);
    span.setAttribute(ATTR_URL_PATH, query < 0 ? url : url.slice(0, query));
    if (template !== undefined) span.setAttribute(ATTR_HTTP_ROUTE, template);
    state.span = span;
    runWithOtelContext(inboundContext(request, false), trace.setSpan(parent, span), done);
  });

  app.addHook('onError', (request, _reply, error, done) => {
    const state = (request as Observed)[kState];
    if (state) state.error = error;
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const state = (request as Observed)[kState];
    const status = reply.statusCode;
    const route = request.routeOptions.url;
    const exception = exceptionTag(state?.error);
    timer?.record(
      {
        method: request.method,
        uri: route === undefined ? uriTag(undefined, status) : templateOf(route),
        status: String(status),
        outcome: outcomeOf(status),
        exception,
        error: exception,
      },
      reply.elapsedTime / 1000,
    );
    const span = state?.span;
    if (span) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500 || state.error) {
        span.setAttribute(ATTR_ERROR_TYPE, state.error ? exception : String(status));
        if (state.error instanceof Error) span.recordException(state.error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
    done();
  });
}

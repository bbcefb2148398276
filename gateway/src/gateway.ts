/**
 * The gateway: one request through, in this fixed order (Spring Cloud Gateway's order, with
 * Silk's global steps in the places Java's global filters take):
 *
 *   request id + traceparent -> CORS -> route match (predicates) -> JWT -> Sentinel gateway
 *   rules (route id, API groups) -> the route's filters (default-filters first) -> proxy
 *   (lb:// via discovery, keep-alive pool, streamed both ways) -> access log
 *
 * The compiled configuration (routes, CORS, JWT) is one immutable GatewayState read once per
 * request; `apply()` swaps it whole, so a reload never disturbs a request already routed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isSilkError } from '@silk/platform-sdk/core';
import type { ServiceInstance } from '@silk/platform-sdk/nacos';
import type { ObservabilityScope } from '@silk/platform-sdk/observability';
import { createSentinel, type Sentinel } from '@silk/platform-sdk/sentinel';
import { BodyTooLargeError, NoInstanceError, NoRouteError } from './errors.js';
import { Exchange, type GatewayRequest, type GatewayResponse } from './exchange.js';
import type { FilterServices, KeyResolver } from './filter/filter.js';
import type { RateLimiter } from './filter/rate-limiter.js';
import { requestSizeMessage } from './filter/resilience-filters.js';
import { compileGatewayYaml, EMPTY_STATE, type GatewayState } from './gateway-config.js';
import { forward } from './proxy/forward.js';
import { UpstreamPools, type PoolOptions } from './proxy/upstream-pools.js';
import { failUpgrade, pipeUpgrade } from './proxy/websocket.js';
import type { Route } from './route/route-table.js';
import { SentinelGatewayFlow, type GatewayEntries } from './sentinel/gateway-flow.js';
import { GatewayObservation } from './observation.js';
import { nextTraceparent } from './trace.js';

/** What `lb://` needs from discovery; NacosDiscovery provides it. */
export interface InstanceChooser {
  choose(serviceName: string): Promise<ServiceInstance | undefined>;
}

export interface AccessLogEntry {
  requestId: string;
  method: string;
  path: string;
  routeId: string;
  status: number;
  upstreamStatus: number;
  durationMs: number;
  remoteAddress: string;
  /** The trace this request belongs to (absent when tracing is off). */
  traceId?: string;
  error?: string;
}

export interface GatewayOptions {
  discovery?: InstanceChooser;
  /** The engine for gateway flow rules and CircuitBreaker degrade rules; default a new one. */
  sentinel?: Sentinel;
  rateLimiter?: RateLimiter;
  /** Extra key resolvers by bean name (principalNameKeyResolver and ipKeyResolver are built in). */
  keyResolvers?: Record<string, KeyResolver>;
  pool?: PoolOptions;
  /** Default response timeout (spring.cloud.gateway.httpclient.response-timeout); none by default. */
  responseTimeoutMs?: number;
  accessLog?: (entry: AccessLogEntry) => void;
  /** Tracing and meters (a service's ServiceObservability); default the one in force per request. */
  observability?: ObservabilityScope;
  now?: () => number;
}

export const DEFAULT_KEY_RESOLVERS: Readonly<Record<string, KeyResolver>> = {
  // PrincipalNameKeyResolver: the authenticated principal, none when anonymous.
  principalNameKeyResolver: (ex) => ex.principal,
  ipKeyResolver: (ex) => ex.remoteAddress,
  remoteAddrKeyResolver: (ex) => ex.remoteAddress,
};

export class Gateway {
  readonly sentinel: Sentinel;
  readonly flow: SentinelGatewayFlow;
  readonly services: FilterServices;
  readonly pools: UpstreamPools;
  #state: GatewayState = EMPTY_STATE;
  readonly #ownsSentinel: boolean;
  readonly #now: () => number;
  readonly #observation: GatewayObservation;

  constructor(private readonly opts: GatewayOptions = {}) {
    this.#observation = new GatewayObservation(opts.observability);
    this.#ownsSentinel = opts.sentinel === undefined;
    this.sentinel = opts.sentinel ?? createSentinel();
    this.flow = new SentinelGatewayFlow(this.sentinel);
    this.pools = new UpstreamPools(opts.pool);
    this.#now = opts.now ?? Date.now;
    this.services = {
      sentinel: this.sentinel,
      ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}),
      keyResolvers: new Map(Object.entries({ ...DEFAULT_KEY_RESOLVERS, ...opts.keyResolvers })),
      forward: (ex, path) => this.#forwardTo(ex, path),
    };
  }

  get state(): GatewayState {
    return this.#state;
  }

  /** Swaps in a compiled state (from `compileGatewayConfig` or the live source). */
  apply(state: GatewayState): void {
    this.#state = state;
  }

  /**
   * Looks up every `lb://` service of a state before it is swapped in, waiting up to
   * `timeoutMs` for each to show an instance, so a route to a service the gateway has not
   * called yet does not answer 503 while discovery subscribes. A service still without
   * instances after that is left to answer 503, as Java's gateway would.
   */
  async warmUp(state: GatewayState, timeoutMs = 5000): Promise<void> {
    const discovery = this.opts.discovery;
    if (discovery === undefined) return;
    const services = new Set(
      state.table.routes.filter((r) => r.target.kind === 'lb').map((r) => r.target.service),
    );
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      [...services].map(async (service) => {
        while (
          (await discovery.choose(service).catch(() => undefined)) === undefined &&
          Date.now() < deadline
        )
          await new Promise((r) => setTimeout(r, 200));
      }),
    );
  }

  /** Compiles YAML and swaps it in; throws RoutesInvalidError and keeps the old state. */
  load(yaml: string, where = 'inline'): GatewayState {
    const state = compileGatewayYaml(yaml, this.services, where);
    this.#state = state;
    return state;
  }

  /**
   * `timeServer`: also record http_server_requests (the caller took the request past the web
   * framework, whose hooks would otherwise time it).
   */
  handle(req: GatewayRequest, res: GatewayResponse, timeServer = false): Promise<void> {
    const ex = new Exchange(req, res, this.#now());
    stampIds(ex);
    return this.#observation.run(ex, () => this.#handle(ex, timeServer));
  }

  async #handle(ex: Exchange, timeServer: boolean): Promise<void> {
    const state = this.#state;
    const start = performance.now();
    let entries: GatewayEntries | undefined;
    let failure: unknown;
    let route: Route | undefined;
    try {
      if (state.cors?.apply(ex) === 'answered') return;
      route = state.table.match(ex);
      if (route === undefined) throw new NoRouteError(ex.method, ex.path);
      ex.routeId = route.id;
      if (state.jwt !== undefined) await state.jwt.authenticate(ex);
      entries = this.flow.enter(ex, route.id);
      await this.#runRoute(ex, route);
    } catch (err) {
      failure = err;
      entries?.setError(err);
      this.#fail(ex, err);
    } finally {
      entries?.exit();
      const matched = route;
      whenAnswered(ex, () => {
        const seconds = (performance.now() - start) / 1000;
        this.#observation.record(ex, matched, seconds);
        if (timeServer) this.#observation.recordServer(ex, failure, seconds);
        if (this.opts.accessLog !== undefined) this.#log(ex, start, failure);
      });
    }
  }

  /** An HTTP upgrade (WebSocket): routed and filtered like a request, then piped. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const state = this.#state;
    const ex = new Exchange(req, undefined as unknown as GatewayResponse, this.#now());
    stampIds(ex);
    try {
      const route = state.table.match(ex);
      if (route === undefined) throw new NoRouteError(ex.method, ex.path);
      ex.routeId = route.id;
      if (state.jwt !== undefined) await state.jwt.authenticate(ex);
      const entries = this.flow.enter(ex, route.id);
      try {
        await runFilters(ex, route, 0, async () => {
          const origin = await this.#origin(ex, route);
          await pipeUpgrade(
            ex,
            socket,
            head,
            origin,
            route.connectTimeoutMs ?? this.pools.defaultConnectTimeoutMs,
          );
        });
      } finally {
        entries.exit();
      }
    } catch (err) {
      const status = isSilkError(err) ? (err.statusCode ?? 500) : 502;
      failUpgrade(socket, status, 'Gateway Error', JSON.stringify(errorBody(ex, err, status)));
    }
  }

  async close(): Promise<void> {
    await this.pools.close();
    if (this.#ownsSentinel) this.sentinel.close();
  }

  #runRoute(ex: Exchange, route: Route): Promise<void> {
    return runFilters(ex, route, 0, async () => {
      const origin = await this.#origin(ex, route);
      await this.#observation.forward(ex, route, () =>
        forward(ex, origin, this.pools, {
          connectTimeoutMs: route.connectTimeoutMs,
          responseTimeoutMs: route.responseTimeoutMs ?? this.opts.responseTimeoutMs,
        }),
      );
    });
  }

  async #origin(ex: Exchange, route: Route): Promise<string> {
    const t = route.target;
    if (t.kind === 'direct') return t.origin;
    const instance = await this.opts.discovery?.choose(t.service);
    if (instance === undefined) throw new NoInstanceError(route.id, t.service);
    const secure = t.protocol === 'https:' || instance.metadata.secure === 'true';
    // An instance's origin is the same string on every request that lands on it.
    let origins = this.#origins.get(instance);
    if (origins === undefined) this.#origins.set(instance, (origins = ['', '']));
    const i = secure ? 1 : 0;
    return (origins[i] ||=
      `${secure ? 'https' : 'http'}://${instance.ip.includes(':') ? `[${instance.ip}]` : instance.ip}:${instance.port}`);
  }

  readonly #origins = new WeakMap<ServiceInstance, [string, string]>();

  /** `forward:/path`: the exchange, with a new path, through the route that path matches. */
  async #forwardTo(ex: Exchange, path: string): Promise<void> {
    ex.path = path;
    ex.retry = undefined;
    ex.failStatuses = undefined;
    const route = this.#state.table.match(ex);
    if (route === undefined) throw new NoRouteError(ex.method, path);
    ex.routeId = route.id;
    await this.#runRoute(ex, route);
  }

  #fail(ex: Exchange, err: unknown): void {
    const res = ex.res;
    if (res.headersSent) {
      // The answer is half sent: cutting the connection is the only honest signal left.
      res.destroy(err instanceof Error ? err : undefined);
      return;
    }
    const status = isSilkError(err) ? (err.statusCode ?? 500) : 500;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-request-id': ex.requestId,
    };
    if (ex.errorHeaders) Object.assign(headers, ex.errorHeaders);
    if (err instanceof BodyTooLargeError && err.details.size !== undefined)
      headers.errormessage = requestSizeMessage(err.details.size as number, err.details.maxSize as number);
    // A request body nobody read would otherwise be drained or leave the connection unusable.
    if (!ex.req.complete) headers.connection = 'close';
    const body =
      typeof (err as { responseBody?: unknown }).responseBody === 'function'
        ? (err as { responseBody(): unknown }).responseBody()
        : errorBody(ex, err, status);
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  #log(ex: Exchange, start: number, failure: unknown): void {
    this.opts.accessLog!({
      requestId: ex.requestId,
      method: ex.method,
      path: ex.originalPath,
      routeId: ex.routeId,
      status: ex.res.statusCode,
      upstreamStatus: ex.upstreamStatus,
      durationMs: Math.round((performance.now() - start) * 1000) / 1000,
      remoteAddress: ex.remoteAddress,
      ...(ex.traceId !== '' ? { traceId: ex.traceId } : {}),
      ...(failure !== undefined
        ? {
            error: isSilkError(failure)
              ? failure.code
              : failure instanceof Error
                ? failure.message
                : 'unknown',
          }
        : {}),
    });
  }
}

/**
 * Runs `fn` once the answer is out (ended, or the connection gone). An answer ended is one
 * handed whole to the socket: waiting for its flush would cost a listener per request.
 */
function whenAnswered(ex: Exchange, fn: () => void): void {
  if (ex.res.writableEnded || ex.res.destroyed) fn();
  else ex.res.once('close', fn);
}

function runFilters(ex: Exchange, route: Route, i: number, last: () => Promise<void>): Promise<void> {
  const f = route.filters[i];
  return f === undefined ? last() : f.run(ex, () => runFilters(ex, route, i + 1, last));
}

function stampIds(ex: Exchange): void {
  const id = ex.header('x-request-id');
  ex.requestId = id !== undefined && id.length <= 128 ? id : randomUUID();
  ex.headers['x-request-id'] = ex.requestId;
  ex.headers.traceparent = nextTraceparent(ex.header('traceparent'));
}

function errorBody(ex: Exchange, err: unknown, status: number): Record<string, unknown> {
  const silk = isSilkError(err);
  return {
    status,
    code: silk ? err.code : 'SILK_GATEWAY_INTERNAL',
    message: silk ? err.message : `internal gateway error: ${err instanceof Error ? err.message : 'unknown'}`,
    path: ex.originalPath,
    requestId: ex.requestId,
  };
}

/**
 * Calling another service by name — what OpenFeign with Spring Cloud LoadBalancer gives a
 * Java service: `http://order-service/orders/1` is resolved through discovery, one instance
 * chosen by the load balancer, and the call made over a keep-alive pool with a timeout. A
 * connection that cannot be opened is retried on another instance (nothing was sent, so this
 * is safe for any method); once a request went out it is never silently repeated. The
 * request context (XID, trace) travels in the headers the Java side reads.
 */
import { Agent, errors, request, type Dispatcher } from 'undici';
import { CONTEXT_KEYS, currentContext } from '../core/index.js';
import { observeClientCall, recordSentinelBlock } from '../observability/index.js';
import { blockErrorOf, type Entry, type Sentinel } from '../sentinel/index.js';
import { BadServiceUrlError, CallTimeoutError, ConnectFailedError, NoInstanceError } from './errors.js';

/** The discovery port: `nacos/`'s NacosDiscovery fits it. */
export interface InstanceChooser {
  choose(
    service: string,
  ): Promise<{ ip: string; port: number; metadata: Record<string, string> } | undefined>;
}

export interface ServiceClientOptions {
  discovery: InstanceChooser;
  timeoutMs?: number;
  /** Other instances to try when a connection cannot be opened; default 2. */
  connectRetries?: number;
  dispatcher?: Dispatcher;
  /**
   * Guard calls with Sentinel as `@SentinelRestTemplate` does: outbound resources
   * `GET:http://order-service` and `GET:http://order-service/orders/1`; a block throws the
   * coded block error before anything is sent, and an answer of 4xx/5xx or a failed call
   * counts as an exception for degrade rules (Java's RestTemplate error handler rule).
   */
  sentinel?: Sentinel;
}

export interface CallOptions {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** `/orders/{id}`: names the call in spans and in `http_client_requests_seconds{uri}`. */
  uriTemplate?: string;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function isConnectError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code !== undefined && CONNECT_ERRORS.has(code);
}

function contextHeaders(): Record<string, string> {
  const ctx = currentContext();
  const h: Record<string, string> = {};
  if (ctx?.xid) h[CONTEXT_KEYS.xid] = ctx.xid;
  if (ctx?.traceparent) h[CONTEXT_KEYS.traceparent] = ctx.traceparent;
  if (ctx?.tracestate) h[CONTEXT_KEYS.tracestate] = ctx.tracestate;
  return h;
}

/** Java: SentinelProtectInterceptor's host resource, then host-with-path when it differs. */
function enterGuards(sentinel: Sentinel, method: string, url: URL): Entry[] {
  const host = `${method}:${url.protocol}//${url.host}`;
  const names = url.pathname === '' || url.pathname === '/' ? [host] : [host, host + url.pathname];
  const entered: Entry[] = [];
  for (const name of names) {
    const r = sentinel.entry(name, { entryType: 'OUT' });
    if (r.blocked) {
      recordSentinelBlock(r);
      for (const e of entered.reverse()) e.exit();
      throw blockErrorOf(r);
    }
    entered.push(r);
  }
  return entered;
}

export class ServiceClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly opts: ServiceClientOptions) {
    this.ownsDispatcher = opts.dispatcher === undefined;
    this.dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  }

  async call(url: string, init: CallOptions = {}): Promise<CallResult> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BadServiceUrlError(url);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BadServiceUrlError(url);
    const service = parsed.hostname;
    const guard = this.opts.sentinel ? enterGuards(this.opts.sentinel, init.method ?? 'GET', parsed) : [];
    try {
      const waitMs = guard.reduce((m, e) => Math.max(m, e.waitMs), 0);
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      const method = init.method ?? 'GET';
      const info = {
        clientName: service,
        method,
        url,
        ...(init.uriTemplate ? { uriTemplate: init.uriTemplate } : {}),
      };
      const result = await observeClientCall(info, (trace) => this.#callOnce(service, parsed, init, trace));
      if (result.status >= 400) for (const e of guard) e.setError(new Error(`HTTP ${result.status}`));
      return result;
    } catch (err) {
      for (const e of guard) e.setError(err);
      throw err;
    } finally {
      for (const e of guard.reverse()) e.exit();
    }
  }

  async #callOnce(
    service: string,
    parsed: URL,
    init: CallOptions,
    traceHeaders: Record<string, string>,
  ): Promise<CallResult> {
    const timeoutMs = init.timeoutMs ?? this.opts.timeoutMs ?? 5000;
    const tried: string[] = [];
    let lastError: unknown;
    for (let attempt = 0; attempt <= (this.opts.connectRetries ?? 2); attempt++) {
      const instance = await this.opts.discovery.choose(service);
      if (!instance) {
        if (tried.length === 0) throw new NoInstanceError(service);
        break;
      }
      const address = `${instance.ip}:${instance.port}`;
      tried.push(address);
      const scheme = instance.metadata.secure === 'true' ? 'https' : 'http';
      try {
        const res = await request(`${scheme}://${address}${parsed.pathname}${parsed.search}`, {
          method: init.method ?? 'GET',
          headers: { ...contextHeaders(), ...traceHeaders, ...init.headers },
          body: init.body ?? null,
          dispatcher: this.dispatcher,
          // undici's own timers are coarse (they tick about once a second); a signal keeps
          // short timeouts honest.
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        return {
          status: res.statusCode,
          headers: res.headers,
          text: () => res.body.text(),
          json: <T>() => res.body.json() as Promise<T>,
        };
      } catch (err) {
        if (
          err instanceof errors.HeadersTimeoutError ||
          err instanceof errors.BodyTimeoutError ||
          (err as { name?: string }).name === 'TimeoutError'
        ) {
          throw new CallTimeoutError(service, address, timeoutMs, err);
        }
        if (!isConnectError(err)) throw err;
        lastError = err;
      }
    }
    throw new ConnectFailedError(service, tried, lastError);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

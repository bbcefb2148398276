/**
 * One request as it passes through the gateway (Spring's ServerWebExchange): what predicates
 * test, what filters change (path, query, headers to send, response header edits), and the
 * attributes the steps leave for each other (URI variables, the chosen route, the principal).
 * Parsed views (query parameters, cookies) are built on first use only.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export type RequestHeaders = Record<string, string | string[]>;

/**
 * The request as the gateway reads it: node:http's IncomingMessage, or the raw front's
 * RawRequest (front/raw-front.ts), which never has a body.
 */
export interface GatewayRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Null once Fastify's inject() has finished with its mock request. */
  readonly socket: Socket | null;
  /** The body has been read whole (always, for a request without one). */
  readonly complete: boolean;
}

/** The answer as the gateway writes it: node:http's ServerResponse, or the raw front's RawResponse. */
export interface GatewayResponse {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers?: OutgoingHttpHeaders): this;
  write(chunk: Buffer): boolean;
  end(data?: string | Buffer, encoding?: BufferEncoding): unknown;
  destroy(err?: Error): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
}
export type ResponseHeaderEdit = (headers: OutgoingHttpHeaders) => void;

export interface RetryPolicy {
  retries: number;
  statuses: ReadonlySet<number>;
  series: ReadonlySet<number>;
  methods: ReadonlySet<string>;
  /** Retry on connect failures and timeouts (Java: IOException, TimeoutException). */
  onErrors: boolean;
  backoff?: { firstMs: number; maxMs: number; factor: number; basedOnPreviousValue: boolean };
}

/** Weight groups of the route table in force: group -> [routeId, cumulative upper bound]. */
export type WeightGroups = ReadonlyMap<string, readonly (readonly [string, number])[]>;

// Hop-by-hop headers (RFC 9110 7.6.1) are never forwarded; `host` is set for the upstream.
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

export class Exchange {
  readonly method: string;
  readonly originalPath: string;
  path: string;
  query: string;
  readonly headers: RequestHeaders = {};
  uriVariables: Record<string, string> = {};
  readonly responseEdits: ResponseHeaderEdit[] = [];
  routeId = '';
  principal: string | undefined;
  requestId = '';
  /** The trace id of the request's span, for the access log; '' when untraced. */
  traceId = '';
  retry: RetryPolicy | undefined;
  maxBodySize: number | undefined;
  /** Upstream statuses a breaker counts as failures: the proxy discards such a response. */
  failStatuses: ReadonlySet<number> | undefined;
  /** Headers an error answer carries too (X-RateLimit-* on a 429). */
  errorHeaders: Readonly<Record<string, string>> | undefined;
  /** Status the upstream answered (for breakers and the access log); 0 before an answer. */
  upstreamStatus = 0;
  upstreamError: unknown;
  weightGroups: WeightGroups | undefined;
  #weights: Map<string, string> | undefined;
  #params: URLSearchParams | undefined;
  #cookies: Map<string, string[]> | undefined;
  #remote: string | undefined;

  constructor(
    readonly req: GatewayRequest,
    readonly res: GatewayResponse,
    readonly now: number,
    private readonly random: () => number = Math.random,
  ) {
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.query = q < 0 ? '' : url.slice(q + 1);
    this.originalPath = this.path;
    const h = req.headers;
    for (const k in h) {
      const v = h[k];
      if (v !== undefined && !HOP_BY_HOP.has(k)) this.headers[k] = v;
    }
  }

  /** The client's address, read once (the access log reads it after the answer, socket or not). */
  get remoteAddress(): string {
    if (this.#remote !== undefined) return this.#remote;
    const a = this.req.socket?.remoteAddress ?? '';
    return (this.#remote = a.startsWith('::ffff:') ? a.slice(7) : a);
  }

  /** The first value of a request header as the client sent it. */
  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  headerValues(name: string): string[] {
    const v = this.req.headers[name.toLowerCase()];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }

  get queryParams(): URLSearchParams {
    return (this.#params ??= new URLSearchParams(this.query));
  }

  cookies(name: string): string[] {
    if (this.#cookies === undefined) {
      this.#cookies = new Map();
      for (const header of this.headerValues('cookie'))
        for (const part of header.split(';')) {
          const eq = part.indexOf('=');
          if (eq < 0) continue;
          const k = part.slice(0, eq).trim();
          const list = this.#cookies.get(k) ?? [];
          list.push(part.slice(eq + 1).trim());
          this.#cookies.set(k, list);
        }
    }
    return this.#cookies.get(name) ?? [];
  }

  /** The route id the Weight group picked for this request (one draw per group per request). */
  weightChoice(group: string): string | undefined {
    const ranges = this.weightGroups?.get(group);
    if (ranges === undefined) return undefined;
    this.#weights ??= new Map();
    let chosen = this.#weights.get(group);
    if (chosen === undefined) {
      const r = this.random();
      chosen = (ranges.find(([, upper]) => r < upper) ?? ranges.at(-1)!)[0];
      this.#weights.set(group, chosen);
    }
    return chosen;
  }

  /** The path and query to send upstream. */
  get pathAndQuery(): string {
    return this.query === '' ? this.path : `${this.path}?${this.query}`;
  }
}

/**
 * The last step of every route: the request, as the filters left it, streamed to the
 * upstream through its keep-alive pool, and the answer streamed back (undici's `stream()`
 * writes the upstream body straight into the client's response). Hop-by-hop headers stay
 * behind; X-Forwarded-* are added as Spring Cloud Gateway's XForwardedHeadersFilter does.
 *
 * Retry (when the route asks for it) re-sends requests without a body only — a streamed
 * body cannot be replayed — after the failed answer's body has been drained.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Transform, Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import {
  BodyTooLargeError,
  GatewayError,
  UpstreamConnectError,
  UpstreamFailedError,
  UpstreamTimeoutError,
} from '../errors.js';
import { HOP_BY_HOP, type Exchange, type GatewayResponse, type RetryPolicy } from '../exchange.js';
import { StatusFailure } from '../filter/resilience-filters.js';
import { forwardH1 } from './forward-h1.js';
import type { UpstreamPools } from './upstream-pools.js';

export interface ForwardOptions {
  readonly connectTimeoutMs: number | undefined;
  /** Time allowed for the answer's headers and between body chunks; undefined = undici's 300 s. */
  readonly responseTimeoutMs: number | undefined;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function hasBody(ex: Exchange): boolean {
  const h = ex.req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

export function forwardedHeaders(ex: Exchange): Record<string, string | string[]> {
  const headers = ex.headers;
  const remote = ex.remoteAddress;
  const prior = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior === undefined ? remote : `${String(prior)}, ${remote}`;
  const host = ex.header('host');
  if (host !== undefined) {
    headers['x-forwarded-host'] ??= host;
    const port = portOf(host);
    if (port !== undefined) headers['x-forwarded-port'] ??= port;
  }
  const socket = ex.req.socket;
  headers['x-forwarded-proto'] ??= socket !== null && 'encrypted' in socket ? 'https' : 'http';
  return headers;
}

/** The digits after the Host header's last colon (`h:8080`, `[::1]:8080`), if that is how it ends. */
function portOf(host: string): string | undefined {
  const colon = host.lastIndexOf(':');
  if (colon < 0 || colon === host.length - 1) return undefined;
  for (let i = colon + 1; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return host.slice(colon + 1);
}

function limited(ex: Exchange, max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new BodyTooLargeError(ex.routeId, undefined, max));
      else done(null, chunk);
    },
  });
}

export function toGatewayError(err: unknown, ex: Exchange, origin: string, opts: ForwardOptions): unknown {
  if (err instanceof GatewayError || err instanceof StatusFailure) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof GatewayError) return cause;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT')
    return new UpstreamTimeoutError(ex.routeId, origin, 'connect', opts.connectTimeoutMs ?? 0, err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new UpstreamTimeoutError(ex.routeId, origin, 'response', opts.responseTimeoutMs ?? 300_000, err);
  if (CONNECT_CODES.has(code) && ex.upstreamStatus === 0) return new UpstreamConnectError(ex.routeId, origin, err);
  return new UpstreamFailedError(ex.routeId, origin, err);
}

const discard = (): Writable => new Writable({ write: (_c, _e, done) => done() });

export function retryable(policy: RetryPolicy | undefined, ex: Exchange, status: number, attempt: number): boolean {
  if (policy === undefined || attempt >= policy.retries || !policy.methods.has(ex.method)) return false;
  return policy.statuses.has(status) || policy.series.has(Math.floor(status / 100));
}

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const b = policy.backoff;
  if (b === undefined) return 0;
  return Math.min(b.maxMs, b.firstMs * b.factor ** attempt);
}

/** Sends the exchange to `origin` and streams the answer to the client. */
export function forward(ex: Exchange, origin: string, pools: UpstreamPools, opts: ForwardOptions): Promise<void> {
  const withBody = hasBody(ex);
  // The common case, a request without a body to a plain HTTP upstream, takes the lean client.
  if (!withBody && origin.startsWith('http://')) return forwardH1(ex, origin, pools, opts);
  return forwardUndici(ex, origin, pools, opts, withBody);
}

async function forwardUndici(
  ex: Exchange,
  origin: string,
  pools: UpstreamPools,
  opts: ForwardOptions,
  withBody: boolean,
): Promise<void> {
  const pool = pools.get(origin, opts.connectTimeoutMs);
  const headers = forwardedHeaders(ex);
  // A request with a body always came through node:http (the raw front takes none).
  const req = ex.req as IncomingMessage;
  const body = !withBody ? null : ex.maxBodySize === undefined ? req : req.pipe(limited(ex, ex.maxBodySize));
  const policy = withBody ? undefined : ex.retry;
  for (let attempt = 0; ; attempt++) {
    let retry = false;
    const request: Dispatcher.RequestOptions = {
      path: ex.pathAndQuery,
      method: ex.method,
      headers,
      body,
      ...(opts.responseTimeoutMs !== undefined
        ? { headersTimeout: opts.responseTimeoutMs, bodyTimeout: opts.responseTimeoutMs }
        : {}),
    };
    try {
      await pool.stream(request, ({ statusCode, headers: upstream }) => {
        ex.upstreamStatus = statusCode;
        if (retryable(policy, ex, statusCode, attempt)) return (retry = true), discard();
        if (ex.failStatuses?.has(statusCode)) return discard();
        return writeHead(ex, statusCode, upstream);
      });
    } catch (err) {
      const mapped = toGatewayError(err, ex, origin, opts);
      const canRetry = policy?.onErrors === true && attempt < policy.retries && !ex.res.headersSent;
      if (!canRetry || !(mapped instanceof UpstreamConnectError || mapped instanceof UpstreamTimeoutError)) throw mapped;
      retry = true;
    }
    if (ex.failStatuses?.has(ex.upstreamStatus) && !retry) throw new StatusFailure(ex.upstreamStatus);
    if (!retry) return;
    const wait = backoffMs(policy!, attempt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

function writeHead(ex: Exchange, status: number, upstream: Record<string, string | string[] | undefined>): Writable {
  const out: OutgoingHttpHeaders = {};
  for (const k in upstream) if (!HOP_BY_HOP.has(k)) out[k] = upstream[k];
  for (const edit of ex.responseEdits) edit(out);
  ex.res.writeHead(status, out);
  return ex.res instanceof Writable ? ex.res : writableOf(ex.res);
}

/** A Writable over a raw front's response, for undici's stream() (https upstreams). */
function writableOf(res: GatewayResponse): Writable {
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (res.write(chunk)) done();
      else res.once('drain', () => done());
    },
    final(done) {
      res.end();
      done();
    },
    destroy(err, done) {
      if (err !== null && !res.writableEnded) res.destroy(err);
      done(err);
    },
  });
  // The client went away mid-answer: undici stops reading the upstream.
  res.once('close', () => {
    if (!res.writableEnded) w.destroy(Object.assign(new Error('the client closed the connection mid-answer'), { code: 'UND_ERR_ABORTED' }));
  });
  return w;
}

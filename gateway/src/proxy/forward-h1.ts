/**
 * `forward` for a request without a body to a plain `http://` upstream, through the lean
 * HTTP/1.1 client (h1-upstream.ts): the same headers, retries, failure statuses and error
 * mapping as the undici path, with the request head built as one string and an answer that
 * came whole written to the client with its head in one call.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { HOP_BY_HOP, type Exchange, type RetryPolicy } from '../exchange.js';
import { StatusFailure } from '../filter/resilience-filters.js';
import { isFieldName, isFieldValue } from '../http-field.js';
import { UpstreamConnectError, UpstreamTimeoutError } from '../errors.js';
import { backoffMs, forwardedHeaders, retryable, toGatewayError, type ForwardOptions } from './forward.js';
import type { H1Handler, H1Pool, H1Request } from './h1-upstream.js';
import type { UpstreamPools } from './upstream-pools.js';

// undici's checks: a path of visible latin1 characters, and the field grammar for headers
// (a URI variable expanded into a header or a path must not smuggle a second request).
const BAD_PATH = /[^\u0021-\u00ff]/;
const DEFAULT_RESPONSE_TIMEOUT_MS = 300_000;

function invalid(message: string): Error {
  return Object.assign(new Error(message), { code: 'UND_ERR_INVALID_ARG' });
}

/** Request line and header block, with X-Forwarded-* and the upstream's Host. */
export function requestHead(ex: Exchange, host: string): string {
  const path = ex.pathAndQuery;
  if (BAD_PATH.test(path)) throw invalid(`invalid request path '${path.slice(0, 64)}'`);
  const headers = forwardedHeaders(ex);
  const sent = ex.req.headers;
  let head = `${ex.method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in headers) {
    const v = headers[name]!;
    if (typeof v === 'string') {
      // A header as the client sent it passed Node's parser; only what filters set is checked.
      if (v !== sent[name] && (!isFieldName(name) || !isFieldValue(v)))
        throw invalid(`invalid header '${name.slice(0, 64)}'`);
      head += `${name}: ${v}\r\n`;
    } else
      for (const one of v) {
        if (!isFieldName(name) || !isFieldValue(one))
          throw invalid(`invalid header '${name.slice(0, 64)}'`);
        head += `${name}: ${one}\r\n`;
      }
  }
  return head + '\r\n';
}

/** The answer's headers as the client gets them: lower-case names, hop-by-hop dropped, repeats as arrays. */
function responseHeaders(raw: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const value = raw[i + 1]!;
    const prior = out[name];
    if (prior === undefined) out[name] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else out[name] = [String(prior), value];
  }
  return out;
}

/** One attempt: settles once the answer is written out (or discarded for a retry/failure status). */
class Attempt implements H1Handler {
  request: H1Request | undefined;
  retry = false;
  #discard = false;
  #ended = false;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;
  readonly done: Promise<void>;

  constructor(
    readonly ex: Exchange,
    readonly policy: RetryPolicy | undefined,
    readonly attempt: number,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  onHead(status: number, raw: string[], body: Buffer | undefined): void {
    const ex = this.ex;
    ex.upstreamStatus = status;
    if (retryable(this.policy, ex, status, this.attempt)) this.retry = this.#discard = true;
    else if (ex.failStatuses?.has(status)) this.#discard = true;
    else {
      try {
        const headers = responseHeaders(raw);
        for (const edit of ex.responseEdits) edit(headers);
        const res = ex.res;
        res.writeHead(status, headers);
        if (body !== undefined) {
          // A small body as latin1 joins the head in one write (a Buffer would go as a writev of two).
          if (body.length <= 16384) res.end(body.toString('latin1'), 'latin1');
          // The body is borrowed from the client's read buffer; the socket may keep it queued.
          else res.end(Buffer.from(body));
        } else res.once('close', () => this.#clientGone());
      } catch (err) {
        this.request?.abort();
        return this.#settle(err);
      }
    }
    if (body !== undefined) this.#settle(undefined);
  }

  onData(chunk: Buffer): boolean {
    if (this.#discard || this.#ended) return true;
    const res = this.ex.res;
    if (res.write(Buffer.from(chunk))) return true;
    res.once('drain', () => this.request?.resume());
    return false;
  }

  onEnd(): void {
    if (!this.#discard && !this.#ended) this.ex.res.end();
    this.#settle(undefined);
  }

  onError(err: Error): void {
    this.#settle(err);
  }

  #clientGone(): void {
    if (this.#ended) return;
    this.request?.abort();
    this.#settle(
      Object.assign(new Error('the client closed the connection mid-answer'), { code: 'UND_ERR_ABORTED' }),
    );
  }

  #settle(err: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (err === undefined) this.#resolve();
    else this.#reject(err);
  }
}

export function forwardH1(
  ex: Exchange,
  origin: string,
  pools: UpstreamPools,
  opts: ForwardOptions,
): Promise<void> {
  const { pool, host } = pools.h1(origin, opts.connectTimeoutMs);
  let head: string;
  try {
    head = requestHead(ex, host);
  } catch (err) {
    // As undici refuses such a request: the exchange failed before it reached the upstream.
    const mapped = toGatewayError(err, ex, origin, opts);
    return Promise.reject(mapped instanceof Error ? mapped : new Error(String(mapped)));
  }
  const policy = ex.retry;
  const timeoutMs = opts.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
  if (policy === undefined && ex.failStatuses === undefined) {
    // One attempt, nothing to judge after it: no loop, and one promise fewer per request.
    const a = new Attempt(ex, undefined, 0);
    a.request = pool.request(ex.method, head, a, timeoutMs);
    return a.done.then(undefined, (err: unknown) => {
      throw toGatewayError(err, ex, origin, opts);
    });
  }
  return withRetries(ex, origin, opts, pool, head, timeoutMs);
}

async function withRetries(
  ex: Exchange,
  origin: string,
  opts: ForwardOptions,
  pool: H1Pool,
  head: string,
  timeoutMs: number,
): Promise<void> {
  const policy = ex.retry;
  for (let attempt = 0; ; attempt++) {
    const a = new Attempt(ex, policy, attempt);
    a.request = pool.request(ex.method, head, a, timeoutMs);
    try {
      await a.done;
    } catch (err) {
      const mapped = toGatewayError(err, ex, origin, opts);
      const canRetry = policy?.onErrors === true && attempt < policy.retries && !ex.res.headersSent;
      if (!canRetry || !(mapped instanceof UpstreamConnectError || mapped instanceof UpstreamTimeoutError))
        throw mapped;
      a.retry = true;
    }
    if (ex.failStatuses?.has(ex.upstreamStatus) && !a.retry) throw new StatusFailure(ex.upstreamStatus);
    if (!a.retry) return;
    const wait = backoffMs(policy!, attempt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

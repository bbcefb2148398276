/**
 * A lean HTTP/1.1 client for the proxy's common case: a request without a body to a plain
 * `http://` upstream. Profiling the gateway under `wrk -c50` showed undici's generic machinery
 * (Request objects, header validation, the wasm parser's callbacks, api-stream's Writable) at
 * about a third of the gateway's CPU per request; this client writes one request head as a
 * latin1 string and parses the answer's head with string operations, keeping connections
 * alive per origin (LIFO, so a few hot sockets carry the load).
 *
 * Bodies are framed as RFC 9112 section 6.3 says: none for HEAD, 1xx, 204 and 304; chunked when
 * Transfer-Encoding says so (decoded here, re-framed by the server response); Content-Length;
 * otherwise until the connection closes. An answer whose body arrives with its head is handed
 * over whole, so the gateway can write head and body in one syscall.
 *
 * Answers are read into one shared buffer (net's `onread`): no allocation and no Readable
 * stream machinery per read. Bytes handed to an H1Handler are therefore borrowed — valid
 * during the call only; a handler that keeps them copies them.
 *
 * A reused connection the upstream closed while idle (its keep-alive timeout racing ours)
 * fails before any byte of the answer: an idempotent request is then sent once more on a new
 * connection, which is what browsers and Netty's pool do.
 */
import { connect, type Socket } from 'node:net';

/** What receives one answer. Exactly one of onEnd / onError ends the exchange. */
export interface H1Handler {
  /**
   * The answer's head; `body` is the whole body when it came with the head, else onData/onEnd
   * follow. `body` and onData's chunks are borrowed (see above).
   */
  onHead(status: number, headers: string[], body: Buffer | undefined): void;
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  onError(err: Error): void;
}

export interface H1Options {
  connections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
}

const MAX_HEAD = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
// Every upstream read lands here; each is handled synchronously before the next read.
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

// Body framing of the answer in progress.
const NONE = 0;
const LENGTH = 1;
const CHUNKED = 2;
const UNTIL_CLOSE = 3;

/** One keep-alive connection and the answer it is reading. */
class H1Connection {
  readonly socket: Socket;
  current: H1Request | undefined;
  used = 0;
  connected = false;
  /** Counted out of the pool (closed or closing). */
  gone = false;
  #buf: Buffer | undefined;
  #headDone = false;
  #framing = NONE;
  #remaining = 0;
  #keepAlive = true;
  #chunks: ChunkDecoder | undefined;
  #timeoutMs = -1;
  /** When the connection last went idle (Date.now()). */
  idleSince = 0;

  constructor(
    readonly pool: H1Pool,
    host: string,
    port: number,
  ) {
    this.socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          this.#onData((buf as Buffer).subarray(0, n));
          return true; // false would pause; backpressure pauses through #deliver instead
        },
      },
    });
    this.#arm(pool.opts.connectTimeoutMs);
    this.socket.on('connect', () => {
      this.connected = true;
      this.#arm(this.current?.timeoutMs ?? pool.opts.keepAliveTimeoutMs);
    });
    this.socket.on('timeout', () => this.#onTimeout());
    this.socket.on('error', (err) => this.#fail(err));
    this.socket.on('end', () => this.#onEnd());
    this.socket.on('close', () => this.#fail(coded('the upstream closed the connection', 'UND_ERR_SOCKET')));
  }

  send(p: H1Request): void {
    this.current = p;
    p.conn = this;
    this.#headDone = false;
    this.#buf = undefined;
    if (this.connected) this.#arm(p.timeoutMs);
    this.socket.write(p.head, 'latin1');
  }

  /**
   * The socket's inactivity timer, re-armed only when its length changes: Node allocates a new
   * timer on every setTimeout call. While idle the connection keeps the last request's timer;
   * the pool does not reuse it past keepAliveTimeoutMs (see H1Pool.dispatch).
   */
  #arm(ms: number): void {
    if (ms === this.#timeoutMs) return;
    this.#timeoutMs = ms;
    this.socket.setTimeout(ms);
  }

  #onTimeout(): void {
    const p = this.current;
    if (!this.connected && p !== undefined) this.#fail(coded('connect timeout', 'UND_ERR_CONNECT_TIMEOUT'));
    else if (p !== undefined)
      this.#fail(
        coded('response timeout', this.#headDone ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT'),
      );
    else this.socket.destroy();
  }

  #onEnd(): void {
    if (this.current !== undefined && this.#headDone && this.#framing === UNTIL_CLOSE)
      return this.#complete();
    this.socket.destroy();
  }

  #fail(err: Error): void {
    const p = this.current;
    this.current = undefined;
    this.pool.dropped(this);
    this.socket.destroy();
    if (p === undefined) return;
    // Nothing of the answer came on a connection that served before: the upstream closed it idle.
    if (!this.#headDone && this.#buf === undefined && this.used > 0 && IDEMPOTENT.has(p.method)) {
      p.conn = undefined;
      this.pool.dispatch(p, true);
      return;
    }
    p.handler.onError(err);
  }

  #onData(d: Buffer): void {
    const p = this.current;
    if (p === undefined) {
      // Bytes nobody asked for: the connection can no longer be trusted.
      this.socket.destroy();
      return;
    }
    if (!this.#headDone) {
      const buf = this.#buf === undefined ? d : Buffer.concat([this.#buf, d]);
      if (!this.#readHead(p, buf)) return;
    } else this.#body(p, d);
  }

  /** Parses the head once it is whole; false while more bytes are needed or on failure. */
  #readHead(p: H1Request, buf: Buffer): boolean {
    let start = 0;
    for (;;) {
      const end = buf.indexOf(CRLFCRLF, start);
      if (end < 0) {
        if (buf.length - start > MAX_HEAD)
          this.#fail(coded('answer head too large', 'UND_ERR_HEADERS_OVERFLOW'));
        // Kept past this read: copied out of the shared read buffer.
        else this.#buf = Buffer.from(start === 0 ? buf : buf.subarray(start));
        return false;
      }
      const lines = buf.toString('latin1', start, end).split('\r\n');
      const status = parseStatus(lines[0]!);
      if (status < 0) {
        this.#fail(coded(`malformed status line '${lines[0]!.slice(0, 64)}'`, 'HPE_INVALID_STATUS'));
        return false;
      }
      start = end + 4;
      // 1xx heads (103 Early Hints) precede the real one and carry no body.
      if (status < 200) continue;
      const headers: string[] = [];
      let length = -1;
      let chunked = false;
      this.#keepAlive = lines[0]!.charCodeAt(7) === 49; // HTTP/1.1 keeps alive unless told otherwise
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(':');
        if (colon <= 0) {
          this.#fail(coded(`malformed header line '${line.slice(0, 64)}'`, 'HPE_INVALID_HEADER_TOKEN'));
          return false;
        }
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).trim();
        headers.push(name, value);
        const n = name.length;
        if (n === 14 && name.toLowerCase() === 'content-length') length = Number(value);
        else if (n === 17 && name.toLowerCase() === 'transfer-encoding')
          chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        else if (n === 10 && name.toLowerCase() === 'connection') {
          const v = value.toLowerCase();
          if (v.includes('close')) this.#keepAlive = false;
          else if (v.includes('keep-alive')) this.#keepAlive = true;
        }
      }
      this.#headDone = true;
      const rest = start < buf.length ? buf.subarray(start) : undefined;
      this.#buf = undefined;
      if (p.method === 'HEAD' || status === 204 || status === 304) this.#framing = NONE;
      else if (chunked) this.#framing = CHUNKED;
      else if (length >= 0 && Number.isSafeInteger(length)) this.#framing = LENGTH;
      else if (length === -1) this.#framing = UNTIL_CLOSE;
      else {
        this.#fail(coded('invalid content-length', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'));
        return false;
      }
      if (this.#framing === NONE || (this.#framing === LENGTH && length === 0)) {
        if (rest !== undefined) this.#keepAlive = false;
        p.handler.onHead(status, headers, Buffer.alloc(0));
        this.#finish(p);
        return true;
      }
      if (this.#framing === LENGTH && rest !== undefined && rest.length >= length) {
        if (rest.length > length) this.#keepAlive = false;
        p.handler.onHead(status, headers, rest.length === length ? rest : rest.subarray(0, length));
        this.#finish(p);
        return true;
      }
      this.#remaining = length;
      this.#chunks = this.#framing === CHUNKED ? new ChunkDecoder() : undefined;
      if (this.#framing === UNTIL_CLOSE) this.#keepAlive = false;
      p.handler.onHead(status, headers, undefined);
      if (rest !== undefined && this.current === p) this.#body(p, rest);
      return true;
    }
  }

  #body(p: H1Request, d: Buffer): void {
    if (this.#framing === LENGTH) {
      if (d.length > this.#remaining) {
        this.#keepAlive = false;
        d = d.subarray(0, this.#remaining);
      }
      this.#remaining -= d.length;
      this.#deliver(p, d);
      if (this.#remaining === 0 && this.current === p) this.#complete();
    } else if (this.#framing === CHUNKED) {
      const decoder = this.#chunks!;
      const err = decoder.push(d, (chunk) => this.#deliver(p, chunk));
      if (err !== undefined) this.#fail(coded(err, 'HPE_INVALID_CHUNK_SIZE'));
      else if (decoder.done && this.current === p) {
        if (decoder.extra) this.#keepAlive = false;
        this.#complete();
      }
    } else this.#deliver(p, d);
  }

  #deliver(p: H1Request, chunk: Buffer): void {
    // The client reads slower than the upstream writes: hold the upstream until the handler
    // calls resume().
    if (chunk.length > 0 && !p.handler.onData(chunk) && this.current === p) this.socket.pause();
  }

  #complete(): void {
    const p = this.current!;
    p.handler.onEnd();
    this.#finish(p);
  }

  #finish(p: H1Request): void {
    if (this.current !== p) return;
    this.current = undefined;
    this.used++;
    if (this.#keepAlive) this.pool.released(this);
    else {
      this.pool.dropped(this);
      this.socket.destroy();
    }
  }

  /** Gives up the answer in progress (the client went away): the connection cannot be reused. */
  abort(): void {
    if (this.current === undefined) return;
    this.current = undefined;
    this.pool.dropped(this);
    this.socket.destroy();
  }
}

/** `HTTP/1.x SSS ...` -> SSS, or -1. */
function parseStatus(line: string): number {
  if (!line.startsWith('HTTP/1.') || line.length < 12 || line.charCodeAt(12) > 32) return -1;
  const s = Number(line.slice(9, 12));
  return Number.isInteger(s) && s >= 100 ? s : -1;
}

/** Chunked transfer coding (RFC 9112 section 7.1): sizes, data, CRLFs and trailers, across reads. */
export class ChunkDecoder {
  done = false;
  /** Bytes followed the last chunk's end (a pipelining server): the connection is not reused. */
  extra = false;
  #state: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  #line = '';
  #left = 0;

  /** Feeds bytes; returns an error message for a malformed stream. */
  push(d: Buffer, out: (chunk: Buffer) => void): string | undefined {
    let i = 0;
    while (i < d.length) {
      if (this.done) {
        this.extra = true;
        return undefined;
      }
      if (this.#state === 'data') {
        const n = Math.min(this.#left, d.length - i);
        out(d.subarray(i, i + n));
        i += n;
        this.#left -= n;
        if (this.#left === 0) {
          this.#state = 'crlf';
          this.#line = '';
        }
        continue;
      }
      const nl = d.indexOf(10, i);
      const end = nl < 0 ? d.length : nl;
      this.#line += d.toString('latin1', i, end);
      if (this.#line.length > 4096) return 'chunk line too long';
      i = end + (nl < 0 ? 0 : 1);
      if (nl < 0) break;
      const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
      this.#line = '';
      if (this.#state === 'crlf') {
        if (line !== '') return 'missing CRLF after chunk data';
        this.#state = 'size';
      } else if (this.#state === 'size') {
        const semi = line.indexOf(';');
        const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) return `invalid chunk size '${hex.slice(0, 16)}'`;
        this.#left = parseInt(hex, 16);
        this.#state = this.#left === 0 ? 'trailer' : 'data';
      } else if (line === '') this.done = true; // trailer fields are dropped, as undici's stream() does
    }
    return undefined;
  }
}

/** The keep-alive connections to one origin, at most `connections` open; requests queue past that. */
export class H1Pool {
  readonly #idle: H1Connection[] = [];
  readonly #queue: H1Request[] = [];
  #open = 0;
  #closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly opts: H1Options,
  ) {}

  get openConnections(): number {
    return this.#open;
  }

  /**
   * Sends `head` (request line and header block, ending in an empty line) and reports the
   * answer to `handler`. The request returned can be aborted (the client went away).
   */
  request(method: string, head: string, handler: H1Handler, timeoutMs: number): H1Request {
    const r = new H1Request(this, head, method, handler, timeoutMs);
    this.dispatch(r, false);
    return r;
  }

  dispatch(r: H1Request, fresh: boolean): void {
    if (this.#closed) return r.handler.onError(coded('the upstream pool is closed', 'UND_ERR_CLOSED'));
    let conn = fresh ? undefined : this.#idle.pop();
    if (conn !== undefined && Date.now() - conn.idleSince > this.opts.keepAliveTimeoutMs) {
      // Idle past our keep-alive: every idle connection is at least as old as this, the
      // most recently used one.
      this.#expireIdle(conn);
      conn = undefined;
    }
    if (conn === undefined) {
      if (this.#open >= this.opts.connections) {
        this.#queue.push(r);
        return;
      }
      this.#open++;
      conn = new H1Connection(this, this.host, this.port);
    }
    conn.send(r);
  }

  released(conn: H1Connection): void {
    if (this.#closed) {
      this.dropped(conn);
      conn.socket.destroy();
      return;
    }
    const next = this.#queue.shift();
    if (next !== undefined) return conn.send(next);
    conn.idleSince = Date.now();
    this.#idle.push(conn);
  }

  #expireIdle(newest: H1Connection): void {
    for (const c of [newest, ...this.#idle.splice(0)]) {
      this.dropped(c);
      c.socket.destroy();
    }
  }

  dropped(conn: H1Connection): void {
    if (conn.gone) return;
    conn.gone = true;
    this.#open--;
    const i = this.#idle.indexOf(conn);
    if (i >= 0) this.#idle.splice(i, 1);
    const next = this.#queue.shift();
    if (next !== undefined) this.dispatch(next, true);
  }

  unqueue(r: H1Request): void {
    const i = this.#queue.indexOf(r);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  close(): void {
    this.#closed = true;
    for (const c of this.#idle.splice(0)) c.socket.destroy();
    for (const r of this.#queue.splice(0))
      r.handler.onError(coded('the upstream pool is closed', 'UND_ERR_CLOSED'));
  }
}

/** One request in flight or queued. */
export class H1Request {
  conn: H1Connection | undefined;

  constructor(
    readonly pool: H1Pool,
    readonly head: string,
    readonly method: string,
    readonly handler: H1Handler,
    readonly timeoutMs: number,
  ) {}

  /** Stops the exchange (the client is gone): a connection mid-answer cannot be reused. */
  abort(): void {
    if (this.conn?.current === this) this.conn.abort();
    else if (this.conn === undefined) this.pool.unqueue(this);
  }

  /** Reads the upstream again after onData returned false. */
  resume(): void {
    if (this.conn?.current === this) this.conn.socket.resume();
  }
}

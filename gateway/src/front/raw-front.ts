/**
 * A front for a node:http server that reads the plainest requests off the socket itself and
 * lets node:http have the connection for anything else. Under `wrk -c50` through the gateway,
 * node:http's own per-request work (llhttp's callbacks into JS, IncomingMessage and
 * ServerResponse streams, header storage and formatting) was about 7 µs of the ~40 µs the
 * gateway process spent per proxied request; the requests a gateway mostly sees — bodiless
 * HTTP/1.1 GETs with ordinary fields — need none of it.
 *
 * The front takes over node:http's 'connection' listener. On each connection it parses one
 * request head at a time (request-head.ts accepts only unambiguous, bodiless HTTP/1.1 requests)
 * and answers it through a RawResponse before reading the next, so pipelined requests are
 * answered in order. At the first request it does not take — a body, HTTP/1.0, an upgrade,
 * anything malformed, or a route of the app's own (`claims`) — it puts the unread bytes back
 * (`socket.unshift`) and hands the connection, from that request on, to node:http's own
 * listener: node:http then parses and answers everything as it would have from the start
 * (400 and close for malformed input, bodies, WebSocket upgrades, Fastify's routes).
 *
 * The server's settings apply: keepAliveTimeout (idle connections closed, `Keep-Alive:
 * timeout=N` announced), headersTimeout (408 for a head that does not complete), maxHeaderSize,
 * and closeIdleConnections / closeAllConnections / close() reach the front's connections too.
 * Not for TLS servers ('connection' carries encrypted bytes there).
 */
import { maxHeaderSize as defaultMaxHeaderSize, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { HANDOFF, INCOMPLETE, parseRequestHead } from './request-head.js';
import { RawResponse, type ResponseOwner } from './raw-response.js';

/** The request as the gateway reads it (the fields of IncomingMessage it uses). */
export class RawRequest {
  /** Never a body: the front takes no request that has one. */
  readonly complete = true;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly socket: Socket,
  ) {}
}

export type RawHandler = (req: RawRequest, res: RawResponse) => void;

export interface RawFrontOptions {
  /** True for a request something else on the server answers (an app's own route): node:http gets it. */
  claims?: (method: string, url: string) => boolean;
  /** True once the process is shutting down: answers then close their connection. */
  closing?: () => boolean;
}

type ConnectionListener = (this: Server, socket: Socket) => void;

const SWEEP_MS = 1000;

class RawFront {
  readonly connections = new Set<RawConnection>();
  readonly maxHeaderSize: number;
  #sweep: NodeJS.Timeout | undefined;

  constructor(
    readonly server: Server,
    readonly nodeListener: ConnectionListener,
    readonly handle: RawHandler,
    readonly opts: RawFrontOptions,
  ) {
    this.maxHeaderSize = (server as { maxHeaderSize?: number }).maxHeaderSize ?? defaultMaxHeaderSize;
  }

  accept(socket: Socket): void {
    // A per-socket request limit is node:http's to count.
    if ((this.server.maxRequestsPerSocket ?? 0) > 0) return this.nodeListener.call(this.server, socket);
    this.connections.add(new RawConnection(this, socket));
    this.#sweep ??= setInterval(() => this.#check(), SWEEP_MS).unref();
  }

  closing(): boolean {
    return this.opts.closing?.() === true || !this.server.listening;
  }

  #check(): void {
    const now = Date.now();
    for (const c of this.connections) c.check(now);
  }

  closeIdle(): void {
    for (const c of this.connections) if (c.idle) c.socket.destroy();
  }

  closeAll(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }
}

function emitClose(res: RawResponse): void {
  res.emit('close');
}

class RawConnection implements ResponseOwner {
  readonly keepAliveSeconds: number;
  #buf: Buffer | undefined;
  #res: RawResponse | undefined;
  #close = false;
  /** The client sent FIN: answer what is in flight, then close. */
  #ended = false;
  #parsing = false;
  #paused = false;
  #idleSince = Date.now();
  /** When the first bytes of a head still incomplete came; 0 when none is pending. */
  #headSince = 0;
  readonly #onData = (d: Buffer): void => this.#data(d);
  readonly #onEnd = (): void => this.#end();
  readonly #onClose = (): void => this.#closed();
  readonly #onError = (): void => void this.socket.destroy();
  readonly #onDrain = (): void => void this.#res?.emit('drain');

  constructor(
    readonly front: RawFront,
    readonly socket: Socket,
  ) {
    const s = front.server;
    this.keepAliveSeconds = s.keepAliveTimeout > 0 ? Math.floor(s.keepAliveTimeout / 1000) : -1;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    socket.on('drain', this.#onDrain);
    if (s.timeout > 0) socket.setTimeout(s.timeout, () => socket.destroy());
  }

  get idle(): boolean {
    return this.#res === undefined && this.#buf === undefined;
  }

  keepAlive(): boolean {
    return !this.#close && !this.#ended && !this.front.closing();
  }

  #data(d: Buffer): void {
    const buf = (this.#buf = this.#buf === undefined ? d : Buffer.concat([this.#buf, d]));
    if (this.#res === undefined) return this.#process();
    // Pipelined requests pile up behind the one in flight: stop reading past one head's worth.
    if (buf.length > this.front.maxHeaderSize && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
  }

  /** Takes requests off the buffer, one at a time, until one is in flight or bytes run out. */
  #process(): void {
    if (this.#parsing) return;
    this.#parsing = true;
    try {
      while (this.#res === undefined && this.#buf !== undefined && !this.socket.destroyed) {
        const buf = this.#buf;
        const head = parseRequestHead(buf, this.front.maxHeaderSize);
        if (head === INCOMPLETE) {
          if (this.#headSince === 0) this.#headSince = Date.now();
          break;
        }
        if (head === HANDOFF || this.front.opts.claims?.(head.method, head.url) === true) return this.#handoff();
        this.#buf = head.end < buf.length ? buf.subarray(head.end) : undefined;
        this.#headSince = 0;
        this.#close = head.close;
        const res = new RawResponse(this, head.method === 'HEAD');
        this.#res = res;
        this.front.handle(new RawRequest(head.method, head.url, head.headers, this.socket), res);
      }
      if (this.#paused && (this.#buf === undefined || this.#buf.length <= this.front.maxHeaderSize)) {
        this.#paused = false;
        this.socket.resume();
      }
    } finally {
      this.#parsing = false;
    }
  }

  finished(res: RawResponse, close: boolean): void {
    if (res !== this.#res) return;
    this.#res = undefined;
    this.#idleSince = Date.now();
    // As a ServerResponse, 'close' after the answer is out, not within end().
    if (res.waitedFor) process.nextTick(emitClose, res);
    if (close || this.#ended) {
      this.#buf = undefined;
      this.socket.end();
      return;
    }
    if (this.#buf !== undefined) this.#process();
  }

  /** node:http takes the connection from the request at the start of the buffer on. */
  #handoff(): void {
    const socket = this.socket;
    this.front.connections.delete(this);
    socket.removeListener('data', this.#onData);
    socket.removeListener('end', this.#onEnd);
    socket.removeListener('close', this.#onClose);
    socket.removeListener('error', this.#onError);
    socket.removeListener('drain', this.#onDrain);
    // Paused, the unread bytes wait in the socket's buffer until node:http listens; resuming
    // then delivers them before anything read later.
    socket.pause();
    const buf = this.#buf;
    this.#buf = undefined;
    if (buf !== undefined) socket.unshift(buf);
    this.front.nodeListener.call(this.front.server, socket);
    socket.resume();
  }

  #end(): void {
    this.#ended = true;
    if (this.#res === undefined) {
      this.#buf = undefined;
      this.socket.end();
    }
  }

  #closed(): void {
    this.front.connections.delete(this);
    const res = this.#res;
    this.#res = undefined;
    // The client went away before its answer was out.
    if (res !== undefined && !res.writableEnded) res.emit('close');
  }

  /** Timeouts, checked once a second: keep-alive idle, and a head that does not complete. */
  check(now: number): void {
    if (this.#res !== undefined) return;
    const s = this.front.server;
    if (this.#buf === undefined) {
      if (s.keepAliveTimeout > 0 && now - this.#idleSince >= s.keepAliveTimeout) this.socket.destroy();
    } else if (s.headersTimeout > 0 && this.#headSince > 0 && now - this.#headSince >= s.headersTimeout) {
      this.#buf = undefined;
      this.socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    }
  }
}

/**
 * Puts the raw front before `server`'s node:http connection handling. Returns false (and
 * changes nothing) for a TLS server or one whose connection listener is not node:http's.
 */
export function installRawFront(server: Server, handle: RawHandler, opts: RawFrontOptions = {}): boolean {
  if (server instanceof TlsServer) return false;
  const nodeListener = server.listeners('connection').find((l) => l.name === 'connectionListener') as
    | ConnectionListener
    | undefined;
  if (nodeListener === undefined) return false;
  const front = new RawFront(server, nodeListener, handle, opts);
  server.removeListener('connection', nodeListener);
  server.on('connection', (socket: Socket) => front.accept(socket));
  // server.close() calls closeIdleConnections(); both reach the front's connections too.
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdle();
    front.closeIdle();
  };
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAll();
    front.closeAll();
  };
  server.on('close', () => front.stop());
  return true;
}

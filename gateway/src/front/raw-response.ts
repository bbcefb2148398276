/**
 * The answer to a request the raw front parsed: the part of node:http's ServerResponse the
 * gateway uses (writeHead, write, end, setHeader, destroy, headersSent, 'close', 'drain'),
 * written straight to the socket. The head is Node's: status line with its reason phrase, the
 * fields as given, `Date`, `Connection` (and `Keep-Alive: timeout=N`), and the framing Node
 * would choose — the given Content-Length; else, when the whole body comes with end(), its
 * length; else chunked. HEAD, 1xx, 204 and 304 answers carry no body. Names and values are
 * checked as Node checks them, so an upstream field with a control character cannot split the
 * answer. Head and a body given to end() go out in one write.
 */
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { isFieldName, isFieldValue } from '../http-field.js';

/** What the response needs from its connection. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** `Keep-Alive: timeout=N` to announce; negative for none. */
  readonly keepAliveSeconds: number;
  /** The connection may stay open after this answer (the client did not ask to close it, the server is not closing). */
  keepAlive(): boolean;
  /** The answer has been handed whole to the socket. */
  finished(res: RawResponse, close: boolean): void;
}


let dateLine = '';
let dateUntil = 0;

/** `Date: <IMF-fixdate>\r\n`, formatted once a second. */
function date(): string {
  const now = Date.now();
  if (now >= dateUntil) {
    dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
    dateUntil = now - (now % 1000) + 1000;
  }
  return dateLine;
}

function coded(err: Error, code: string): Error {
  return Object.assign(err, { code });
}

function field(name: string, value: unknown): string {
  const v = String(value);
  if (!isFieldName(name)) throw coded(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), 'ERR_INVALID_HTTP_TOKEN');
  if (!isFieldValue(v)) throw coded(new TypeError(`Invalid character in header content ["${name}"]`), 'ERR_INVALID_CHAR');
  return `${name}: ${v}\r\n`;
}

type Listener = () => void;

/**
 * Not an EventEmitter: the gateway only ever waits once for 'close' (the answer is done or the
 * client went away) and 'drain', and an emitter's setup per answer showed in the profile.
 */
export class RawResponse {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  #set: Record<string, string> | undefined;
  /** The head, until the first write or end() sends it. */
  #head = '';
  #hasLength = false;
  #hasBody = true;
  #chunked = false;
  #close = false;
  #onClose: Listener[] | undefined;
  #onDrain: Listener[] | undefined;

  constructor(
    readonly owner: ResponseOwner,
    readonly isHead: boolean,
  ) {}

  once(event: 'close' | 'drain', listener: Listener): this {
    if (event === 'close') (this.#onClose ??= []).push(listener);
    else (this.#onDrain ??= []).push(listener);
    return this;
  }

  get waitedFor(): boolean {
    return this.#onClose !== undefined;
  }

  /** Runs, and forgets, the listeners of `event`. */
  emit(event: 'close' | 'drain'): void {
    const list = event === 'close' ? this.#onClose : this.#onDrain;
    if (list === undefined) return;
    if (event === 'close') this.#onClose = undefined;
    else this.#onDrain = undefined;
    for (const fn of list) fn();
  }

  get destroyed(): boolean {
    return this.owner.socket.destroyed;
  }

  setHeader(name: string, value: string): this {
    if (this.headersSent) throw coded(new Error('Cannot set headers after they are sent to the client'), 'ERR_HTTP_HEADERS_SENT');
    (this.#set ??= {})[name.toLowerCase()] = value;
    return this;
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders): this {
    if (this.headersSent) throw coded(new Error('Cannot write headers after they are sent to the client'), 'ERR_HTTP_HEADERS_SENT');
    if (!Number.isInteger(status) || status < 100 || status > 999)
      throw coded(new RangeError(`Invalid status code: ${status}`), 'ERR_HTTP_INVALID_STATUS_CODE');
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    let hasDate = false;
    let connection: string | undefined;
    const all = this.#set === undefined ? headers : { ...this.#set, ...headers };
    for (const name in all) {
      const value = all[name];
      if (value === undefined) continue;
      const lower = name.length === 4 || name.length === 10 || name.length === 14 ? name.toLowerCase() : name;
      if (lower === 'date') hasDate = true;
      else if (lower === 'connection') connection = String(value).toLowerCase();
      else if (lower === 'content-length') this.#hasLength = true;
      if (Array.isArray(value)) for (const v of value) head += field(name, v);
      else head += field(name, value);
    }
    if (!hasDate) head += date();
    this.#close = connection?.includes('close') === true || !this.owner.keepAlive();
    if (connection === undefined) {
      if (this.#close) head += 'Connection: close\r\n';
      else {
        head += 'Connection: keep-alive\r\n';
        if (this.owner.keepAliveSeconds >= 0) head += `Keep-Alive: timeout=${this.owner.keepAliveSeconds}\r\n`;
      }
    }
    this.#hasBody = !this.isHead && status >= 200 && status !== 204 && status !== 304;
    this.statusCode = status;
    this.#head = head;
    this.headersSent = true;
    return this;
  }

  /** A piece of a streamed body; false when the socket's buffer is full ('drain' follows). */
  write(chunk: Buffer | string): boolean {
    if (this.writableEnded) throw coded(new Error('write after end'), 'ERR_STREAM_WRITE_AFTER_END');
    if (!this.headersSent) this.writeHead(this.statusCode);
    const socket = this.owner.socket;
    let out = '';
    if (this.#head !== '') {
      if (this.#hasBody && !this.#hasLength) {
        this.#chunked = true;
        out = `${this.#head}Transfer-Encoding: chunked\r\n\r\n`;
      } else out = `${this.#head}\r\n`;
      this.#head = '';
    }
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (!this.#hasBody || size === 0) return out === '' || socket.write(out, 'latin1');
    if (this.#chunked) out += `${size.toString(16)}\r\n`;
    if (out !== '') socket.write(out, 'latin1');
    const ok = socket.write(chunk);
    return this.#chunked ? socket.write('\r\n', 'latin1') : ok;
  }

  end(data?: Buffer | string, encoding?: BufferEncoding): this {
    if (this.writableEnded) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    const socket = this.owner.socket;
    if (this.#head !== '') {
      // Nothing sent yet: the whole answer goes in one write.
      let head = this.#head;
      this.#head = '';
      const size = data === undefined ? 0 : typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.length;
      if (this.#hasBody && !this.#hasLength) head += `Content-Length: ${size}\r\n`;
      head += '\r\n';
      if (!this.#hasBody || size === 0) socket.write(head, 'latin1');
      // A latin1 body joins the head in one string (the proxy's case); otherwise head and body
      // are corked into one writev, the head staying latin1 as Node writes it.
      else if (typeof data === 'string' && encoding === 'latin1') socket.write(head + data, 'latin1');
      else {
        socket.cork();
        socket.write(head, 'latin1');
        if (typeof data === 'string') socket.write(data, encoding ?? 'utf8');
        else socket.write(data!);
        socket.uncork();
      }
    } else {
      if (data !== undefined && data.length > 0) this.write(data);
      if (this.#chunked) socket.write('0\r\n\r\n', 'latin1');
    }
    this.owner.finished(this, this.#close);
    return this;
  }

  destroy(_err?: Error): this {
    this.owner.socket.destroy();
    return this;
  }
}

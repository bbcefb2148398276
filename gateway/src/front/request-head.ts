/**
 * The raw front's request parser (see raw-front.ts): it accepts only the plainest HTTP/1.1
 * requests, those with no body and nothing to interpret, and says HANDOFF for everything else,
 * so Node's own parser (llhttp) answers anything unusual exactly as it always did. What it
 * accepts must be a subset of what llhttp in strict mode accepts, with the same meaning:
 *
 *   request-line = method SP origin-form SP "HTTP/1.1" CRLF      (RFC 9112 section 3)
 *   field-line   = token ":" OWS value OWS CRLF                    (section 5)
 *
 * HANDOFF for: another version (1.0, 2), a method outside SIMPLE_METHODS (CONNECT, TRACE,
 * extensions), a target that is not origin-form or holds anything but visible ASCII,
 * Transfer-Encoding, a Content-Length other than `0`, Expect, Upgrade, a Connection other than
 * `keep-alive` / `close`, a missing or repeated field of any name, obs-fold, a bare CR or LF,
 * control characters, more than MAX_FIELDS fields, or a head larger than the server's limit.
 * A request smuggled behind ambiguous framing therefore never passes here: the framing of what
 * is accepted is unambiguous (the head ends at the first CRLFCRLF and no body follows).
 */
import { isFieldName, isFieldValue } from '../http-field.js';

export const INCOMPLETE = 0;
export const HANDOFF = 1;

export interface RequestHead {
  method: string;
  url: string;
  /** Lower-case names, values with surrounding whitespace trimmed, as IncomingMessage has them. */
  headers: Record<string, string>;
  /** The client asked to close the connection after the answer. */
  close: boolean;
  /** Offset just past the head's closing CRLFCRLF. */
  end: number;
}

const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'POST', 'PUT', 'PATCH']);
const MAX_FIELDS = 100;
const CRLFCRLF = Buffer.from('\r\n\r\n');
// Origin-form: a slash, then visible ASCII only (llhttp's strict URL characters).
const TARGET = /^\/[\u0021-\u007e]*$/;

/**
 * Parses the head at the start of `buf`: the request, INCOMPLETE while its end has not arrived,
 * or HANDOFF when Node should parse it.
 */
export function parseRequestHead(buf: Buffer, maxHeaderSize: number): RequestHead | typeof INCOMPLETE | typeof HANDOFF {
  const end = buf.indexOf(CRLFCRLF);
  if (end < 0) return buf.length > maxHeaderSize || hasBareLf(buf) ? HANDOFF : INCOMPLETE;
  if (end + 4 > maxHeaderSize) return HANDOFF;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const line = lines[0]!;
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0) return HANDOFF;
  const method = line.slice(0, sp1);
  const url = line.slice(sp1 + 1, sp2);
  if (!SIMPLE_METHODS.has(method) || line.slice(sp2 + 1) !== 'HTTP/1.1' || !TARGET.test(url)) return HANDOFF;
  if (lines.length - 1 > MAX_FIELDS) return HANDOFF;
  const headers: Record<string, string> = {};
  let close = false;
  let host = false;
  for (let i = 1; i < lines.length; i++) {
    const field = lines[i]!;
    const colon = field.indexOf(':');
    if (colon <= 0) return HANDOFF;
    const name = field.slice(0, colon);
    // Also refuses `Name :` and a continuation line (obs-fold), whose name starts with a space.
    if (!isFieldName(name)) return HANDOFF;
    const value = trimOws(field, colon + 1);
    if (!isFieldValue(value)) return HANDOFF;
    const key = name.toLowerCase();
    if (headers[key] !== undefined || key === '__proto__') return HANDOFF;
    switch (key) {
      case 'host':
        host = true;
        break;
      case 'content-length':
        if (value !== '0') return HANDOFF;
        break;
      case 'connection': {
        const v = value.toLowerCase();
        if (v === 'close') close = true;
        else if (v !== 'keep-alive') return HANDOFF;
        break;
      }
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
      case 'http2-settings':
        return HANDOFF;
    }
    headers[key] = value;
  }
  // Node answers a request without Host 400 (requireHostHeader).
  if (!host) return HANDOFF;
  return { method, url, headers, close, end: end + 4 };
}

/** `value` of the field line from `from`, without leading or trailing SP / HTAB. */
function trimOws(line: string, from: number): string {
  let a = from;
  let b = line.length;
  while (a < b && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++;
  while (b > a && (line.charCodeAt(b - 1) === 32 || line.charCodeAt(b - 1) === 9)) b--;
  return line.slice(a, b);
}

/** A LF not preceded by CR: a head Node may read differently (or refuse); it decides. */
function hasBareLf(buf: Buffer): boolean {
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) if (i === 0 || buf[i - 1] !== 13) return true;
  return false;
}

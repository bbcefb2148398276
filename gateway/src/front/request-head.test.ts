import { describe, expect, it } from 'vitest';
import { HANDOFF, INCOMPLETE, parseRequestHead, type RequestHead } from './request-head.js';

const MAX = 16384;
const parse = (text: string): ReturnType<typeof parseRequestHead> => parseRequestHead(Buffer.from(text, 'latin1'), MAX);
const head = (text: string): RequestHead => {
  const r = parse(text);
  if (typeof r === 'number') throw new Error(`expected a head, got ${r}`);
  return r;
};

describe('parseRequestHead', () => {
  it('reads a plain GET: method, target, lower-case names, trimmed values, where the head ends', () => {
    const text = 'GET /a/b?x=1 HTTP/1.1\r\nHost: gw:8080\r\nX-Thing: \t v a l \t\r\nAccept:*/*\r\n\r\nGET /next';
    const r = head(text);
    expect(r).toMatchObject({ method: 'GET', url: '/a/b?x=1', close: false });
    expect(r.headers).toEqual({ host: 'gw:8080', 'x-thing': 'v a l', accept: '*/*' });
    expect(text.slice(r.end)).toBe('GET /next');
  });

  it('takes Connection: close / keep-alive, Content-Length: 0 and latin1 obs-text in values', () => {
    expect(head('DELETE /x HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n').close).toBe(true);
    expect(head('GET /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n').close).toBe(false);
    expect(head('POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n').headers['content-length']).toBe('0');
    expect(head('GET /x HTTP/1.1\r\nHost: h\r\nCookie: n=\u00e9\r\n\r\n').headers.cookie).toBe('n=\u00e9');
  });

  it('needs more bytes until the head ends', () => {
    expect(parse('GET /x HTTP/1.1\r\nHost: h\r\n')).toBe(INCOMPLETE);
    expect(parse('GET /x HTTP/1.1\r\nHost: h\r\n\r')).toBe(INCOMPLETE);
    expect(parse('')).toBe(INCOMPLETE);
  });

  it.each([
    ['HTTP/1.0', 'GET /x HTTP/1.0\r\nHost: h\r\n\r\n'],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['lower-case version', 'GET /x http/1.1\r\nHost: h\r\n\r\n'],
    ['CONNECT', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n'],
    ['TRACE', 'TRACE /x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['an extension method', 'PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['lower-case method', 'get /x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['absolute-form target', 'GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['two spaces in the request line', 'GET  /x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['a tab in the target', 'GET /x\ty HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['a non-ASCII target', 'GET /\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['a leading empty line', '\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['Transfer-Encoding', 'POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['Transfer-Encoding beside Content-Length', 'GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['a body', 'POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'],
    ['Content-Length 00', 'GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 00\r\n\r\n'],
    ['Content-Length twice', 'GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n'],
    ['Host twice', 'GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['any field twice', 'GET /x HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\n\r\n'],
    ['no Host', 'GET /x HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['no fields', 'GET /x HTTP/1.1\r\n\r\n'],
    ['obs-fold', 'GET /x HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n'],
    ['whitespace before the colon', 'GET /x HTTP/1.1\r\nHost : h\r\n\r\n'],
    ['a field without a colon', 'GET /x HTTP/1.1\r\nHost: h\r\nbroken\r\n\r\n'],
    ['an empty field name', 'GET /x HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n'],
    ['a bare LF ending the head', 'GET /x HTTP/1.1\nHost: h\n\n'],
    ['a bare LF inside a value', 'GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\nb\r\n\r\n'],
    ['a bare CR inside a value', 'GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n'],
    ['NUL in a value', 'GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b\r\n\r\n'],
    ['DEL in a value', 'GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\u007fb\r\n\r\n'],
    ['Upgrade', 'GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
    ['Connection: upgrade alone', 'GET /x HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n'],
    ['Connection with a list', 'GET /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, TE\r\n\r\n'],
    ['Expect', 'GET /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n'],
    ['HTTP2-Settings', 'GET /x HTTP/1.1\r\nHost: h\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n'],
    ['a __proto__ field', 'GET /x HTTP/1.1\r\nHost: h\r\n__proto__: x\r\n\r\n'],
  ])('hands %s to node:http', (_what, text) => {
    expect(parse(text)).toBe(HANDOFF);
  });

  it('hands heads past the size limit, complete or not, and past 100 fields to node:http', () => {
    const big = `GET /x HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(MAX)}\r\n\r\n`;
    expect(parse(big)).toBe(HANDOFF);
    expect(parse(big.slice(0, MAX + 10))).toBe(HANDOFF);
    const many = Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join('');
    expect(parse(`GET /x HTTP/1.1\r\nHost: h\r\n${many}\r\n`)).toBe(HANDOFF);
    const fine = Array.from({ length: 99 }, (_, i) => `X-${i}: v\r\n`).join('');
    expect(Object.keys(head(`GET /x HTTP/1.1\r\nHost: h\r\n${fine}\r\n`).headers)).toHaveLength(100);
  });
});

import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SpanPoster, parseAnswer } from './span-poster.js';
import { startCollector } from './span-test-support.js';

const answer = (s: string): Buffer => Buffer.from(s.replaceAll('\n', '\r\n'));

describe('parseAnswer', () => {
  it('reads the status once the body is complete, by Content-Length or by chunks', () => {
    const empty = answer('HTTP/1.1 202 Accepted\nContent-Length: 0\n\n');
    expect(parseAnswer(empty)).toEqual({ status: 202, close: false, used: empty.length });
    const sized = answer('HTTP/1.1 200 OK\ncontent-length: 2\n\n{}');
    expect(parseAnswer(sized.subarray(0, sized.length - 1))).toBeUndefined();
    expect(parseAnswer(sized)?.status).toBe(200);
    const chunked = answer(
      'HTTP/1.1 500 Oops\nTransfer-Encoding: chunked\nConnection: close\n\n3\nabc\n0\n\n',
    );
    expect(parseAnswer(chunked.subarray(0, chunked.length - 2))).toBeUndefined();
    expect(parseAnswer(chunked)).toEqual({ status: 500, close: true, used: chunked.length });
    expect(() => parseAnswer(answer('SSH-2.0-OpenSSH\n\n'))).toThrow(/not an HTTP answer/);
  });
});

describe('SpanPoster', () => {
  it('posts over one kept-alive connection, with headers, and reports 4xx/5xx as failures', async () => {
    const c = await startCollector();
    try {
      const poster = new SpanPoster(new URL(`${c.base}/v1/traces?x=1`), { Authorization: 'Bearer t' }, 5000);
      const results = await Promise.all([1, 2, 3].map((n) => poster.post(Buffer.from(`[${n}]`))));
      expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(c.bodies.slice(-3)).toEqual([[1], [2], [3]]);
      expect(c.headers).toMatchObject({ authorization: 'Bearer t', 'content-length': '3' });
      c.failing = true;
      expect(await poster.post(Buffer.from('[]'))).toEqual({ ok: false, why: 'status 500' });
      poster.close();
    } finally {
      c.close();
    }
  });

  it('connects again after the server drops the connection, and fails a request it never answers', async () => {
    const seen: Socket[] = [];
    let answerIt = true;
    const server = createTcpServer((s) => {
      seen.push(s);
      s.on('data', () => {
        if (!answerIt) return;
        // Answer, then close: like a server ending keep-alive.
        s.end('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`);
      const poster = new SpanPoster(url, {}, 300);
      expect(await poster.post(Buffer.from('[]'))).toEqual({ ok: true });
      expect(await poster.post(Buffer.from('[]'))).toEqual({ ok: true });
      expect(seen).toHaveLength(2);
      answerIt = false;
      expect(await poster.post(Buffer.from('[]'))).toEqual({ ok: false, why: 'no answer in 300 ms' });
      poster.close();
      expect(await poster.post(Buffer.from('[]'))).toEqual({ ok: false, why: 'closed' });
    } finally {
      server.close();
    }
  });

  it('fails, not hangs, when nothing listens', async () => {
    const server = createTcpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const poster = new SpanPoster(new URL(`http://127.0.0.1:${port}/`), {}, 5000);
    const r = await poster.post(Buffer.from('[]'));
    expect(r.ok).toBe(false);
    expect(r.why).toMatch(/ECONNREFUSED|closed/);
    poster.close();
  });
});

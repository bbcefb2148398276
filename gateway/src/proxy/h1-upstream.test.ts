import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkDecoder, H1Pool, type H1Handler } from './h1-upstream.js';

/** A raw upstream: `answer` writes the bytes of each request's answer (as the test scripts them). */
async function rawServer(
  answer: (sock: Socket, head: string, n: number) => void,
): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  let n = 0;
  const server = createServer((sock) => {
    connections++;
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        answer(sock, head, n++);
      }
    });
    sock.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

interface Answer {
  status: number;
  headers: string[];
  body: Buffer;
}

function call(pool: H1Pool, method = 'GET', path = '/', timeoutMs = 2000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: string[] = [];
    const chunks: Buffer[] = [];
    const handler: H1Handler = {
      onHead(s, h, body) {
        status = s;
        headers = h;
        if (body !== undefined) resolve({ status, headers, body: Buffer.from(body) });
      },
      onData(c) {
        chunks.push(Buffer.from(c));
        return true;
      },
      onEnd: () => resolve({ status, headers, body: Buffer.concat(chunks) }),
      onError: reject,
    };
    pool.request(method, `${method} ${path} HTTP/1.1\r\nhost: x\r\n\r\n`, handler, timeoutMs);
  });
}

const servers: Server[] = [];
const pools: H1Pool[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
  for (const s of servers.splice(0)) s.close();
});

async function setup(answer: (sock: Socket, head: string, n: number) => void, connections = 4) {
  const s = await rawServer(answer);
  servers.push(s.server);
  const pool = new H1Pool('127.0.0.1', s.port, {
    connections,
    keepAliveTimeoutMs: 5000,
    connectTimeoutMs: 1000,
  });
  pools.push(pool);
  return { ...s, pool };
}

describe('H1Pool', () => {
  it('keeps one connection alive across sequential requests and hands a whole answer over with its head', async () => {
    const { pool, connections } = await setup((sock, head) =>
      sock.write(
        `HTTP/1.1 200 OK\r\nContent-Length: ${head.length}\r\nX-A: 1\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n${head}`,
      ),
    );
    const a = await call(pool, 'GET', '/one');
    const b = await call(pool, 'GET', '/two');
    expect(a.status).toBe(200);
    expect(a.body.toString()).toContain('GET /one HTTP/1.1');
    expect(b.body.toString()).toContain('GET /two HTTP/1.1');
    expect(a.headers).toEqual([
      'Content-Length',
      String(a.body.length),
      'X-A',
      '1',
      'Set-Cookie',
      'a',
      'Set-Cookie',
      'b',
    ]);
    expect(connections()).toBe(1);
  });

  it('decodes a chunked answer split at every awkward boundary, trailers dropped, and reuses the connection', async () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n';
    const { pool, connections } = await setup((sock) => {
      // One byte per write, each its own TCP segment as far as the reader can tell.
      let i = 0;
      const next = (): void => {
        if (i < wire.length) sock.write(wire[i++]!, () => setImmediate(next));
      };
      next();
    });
    expect((await call(pool)).body.toString()).toBe('hello world');
    expect((await call(pool)).body.toString()).toBe('hello world');
    expect(connections()).toBe(1);
  });

  it('reads a Content-Length body that arrives in pieces, and a body delimited by close', async () => {
    const { pool, connections } = await setup((sock, _head, n) => {
      if (n === 0) {
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234');
        setTimeout(() => sock.write('56789'), 20);
      } else sock.end('HTTP/1.0 200 OK\r\n\r\nuntil close');
    });
    expect((await call(pool)).body.toString()).toBe('0123456789');
    expect((await call(pool)).body.toString()).toBe('until close');
    expect(connections()).toBe(1);
    // The close-delimited answer used the connection up: the next request opens another.
    await call(pool).catch(() => undefined);
    expect(connections()).toBe(2);
  });

  it('skips 1xx heads, and reads no body for HEAD, 204 and 304', async () => {
    const { pool } = await setup((sock, head) => {
      if (head.startsWith('HEAD')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n');
      else if (head.includes('/204')) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      else
        sock.write(
          'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n',
        );
    }, 1);
    const head = await call(pool, 'HEAD');
    expect([head.status, head.body.length]).toEqual([200, 0]);
    expect((await call(pool, 'GET', '/204')).status).toBe(204);
    const hinted = await call(pool, 'GET', '/304');
    expect([hinted.status, hinted.headers]).toEqual([304, ['ETag', 'x']]);
    // All three on one connection: no body was waited for.
    expect((await call(pool, 'GET', '/204')).status).toBe(204);
  });

  it('sends an idempotent request again when a reused connection closes before any answer, but not a POST', async () => {
    const served = new WeakMap<Socket, number>();
    const { pool, connections } = await setup((sock) => {
      const n = served.get(sock) ?? 0;
      served.set(sock, n + 1);
      // A connection's second request meets the upstream closing it, as a keep-alive timeout
      // racing the reuse would.
      if (n === 1) sock.destroy();
      else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    }, 1);
    await call(pool);
    expect((await call(pool)).body.toString()).toBe('ok');
    expect(connections()).toBe(2);
    await expect(call(pool, 'POST')).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('does not reuse a connection idle past keepAliveTimeoutMs', async () => {
    const s = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    servers.push(s.server);
    const pool = new H1Pool('127.0.0.1', s.port, {
      connections: 2,
      keepAliveTimeoutMs: 50,
      connectTimeoutMs: 1000,
    });
    pools.push(pool);
    await call(pool);
    await call(pool);
    expect(s.connections()).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect((await call(pool)).body.toString()).toBe('ok');
    expect(s.connections()).toBe(2);
    expect(pool.openConnections).toBe(1);
  });

  it('queues past the connection limit and serves in order', async () => {
    const { pool, connections } = await setup((sock, head) => {
      const path = head.split(' ')[1]!;
      setTimeout(() => sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`), 10);
    }, 1);
    const answers = await Promise.all(['/a', '/b', '/c'].map((p) => call(pool, 'GET', p)));
    expect(answers.map((a) => a.body.toString())).toEqual(['/a', '/b', '/c']);
    expect(connections()).toBe(1);
  });

  it('fails with undici-like codes: refused, response timeout, malformed status', async () => {
    const refused = new H1Pool('127.0.0.1', 1, {
      connections: 1,
      keepAliveTimeoutMs: 1000,
      connectTimeoutMs: 1000,
    });
    pools.push(refused);
    await expect(call(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const { pool } = await setup((sock, head) => {
      if (head.includes('/bad')) sock.write('HTTX/1.1 200 OK\r\n\r\n');
      // /slow is never answered
    });
    await expect(call(pool, 'GET', '/slow', 100)).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    await expect(call(pool, 'GET', '/bad')).rejects.toMatchObject({ code: 'HPE_INVALID_STATUS' });
  });
});

describe('ChunkDecoder', () => {
  it('refuses a malformed size line and a missing CRLF after data', () => {
    expect(new ChunkDecoder().push(Buffer.from('zz\r\n'), () => undefined)).toMatch(/invalid chunk size/);
    expect(new ChunkDecoder().push(Buffer.from('2\r\nabX\r\n'), () => undefined)).toMatch(/missing CRLF/);
  });
});

import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type AddressInfo, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayServer, registerGateway } from '../fastify-adapter.js';
import { Gateway } from '../gateway.js';
import { startUpstream, type Upstream } from '../test-support.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw client: writes bytes as given and reads answers off the socket. */
class Client {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  closed = false;

  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1' });
    this.socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake?.();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    this.socket.on('error', () => undefined);
  }

  send(text: string | Buffer): this {
    this.socket.write(text);
    return this;
  }

  async #more(): Promise<void> {
    if (this.closed) throw new Error(`connection closed; unread: ${this.#buf.toString('latin1').slice(0, 200)}`);
    await new Promise<void>((r) => (this.#wake = r));
  }

  /** The next answer; `head` for an answer to HEAD (no body whatever the framing says). */
  async read(head = false): Promise<Answer> {
    for (;;) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.#buf.toString('latin1', 0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        const status = Number(lines[0]!.split(' ')[1]);
        const rest = this.#buf.subarray(end + 4);
        const none = head || status === 204 || status === 304;
        if (none || headers['content-length'] !== undefined) {
          const n = none ? 0 : Number(headers['content-length']);
          if (rest.length >= n) {
            this.#buf = rest.subarray(n);
            return { status, headers, body: rest.toString('utf8', 0, n) };
          }
        } else if (headers['transfer-encoding'] === 'chunked') {
          const body = dechunk(rest);
          if (body !== undefined) {
            this.#buf = rest.subarray(body.used);
            return { status, headers, body: body.data.toString('latin1') };
          }
        } else if (this.closed) {
          this.#buf = Buffer.alloc(0);
          return { status, headers, body: rest.toString() };
        }
      }
      await this.#more();
    }
  }

  async closedByServer(): Promise<boolean> {
    while (!this.closed) await this.#more().catch(() => undefined);
    return this.#buf.length === 0;
  }

  close(): void {
    this.socket.destroy();
  }
}

function dechunk(b: Buffer): { data: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const nl = b.indexOf('\r\n', i);
    if (nl < 0) return undefined;
    const size = parseInt(b.toString('latin1', i, nl), 16);
    if (size === 0) return b.length >= nl + 4 ? { data: Buffer.concat(parts), used: nl + 4 } : undefined;
    if (b.length < nl + 2 + size + 2) return undefined;
    parts.push(b.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
}

let upstream: Upstream;
let gateway: Gateway;
let app: FastifyInstance;
let nodeApp: FastifyInstance;
let port: number;
let nodePort: number;
let closing = false;
const seen: string[] = [];

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: gw\r\n${extra}\r\n`;

async function listen(a: FastifyInstance): Promise<number> {
  await a.listen({ port: 0, host: '127.0.0.1' });
  return (a.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  upstream = await startUpstream('up');
  gateway = new Gateway();
  gateway.load(`
spring.cloud.gateway.routes:
  - id: api
    uri: ${upstream.origin}
    predicates: [Path=/api/**]
    filters:
      - StripPrefix=1
      - AddResponseHeader=X-Route, api
`);
  const handle = gateway.handle.bind(gateway);
  gateway.handle = (req, res) => {
    seen.push(req.constructor.name);
    return handle(req, res);
  };
  app = Fastify();
  app.get('/own/:id', (req) => ({ own: (req.params as { id: string }).id }));
  await registerGateway(app, gateway, { closing: () => closing });
  port = await listen(app);
  nodeApp = Fastify();
  nodeApp.get('/own/:id', (req) => ({ own: (req.params as { id: string }).id }));
  await registerGateway(nodeApp, gateway, { front: 'node' });
  nodePort = await listen(nodeApp);
});

afterAll(async () => {
  await app?.close();
  await nodeApp?.close();
  await gateway?.close();
  await upstream?.close();
});

describe('the raw front', () => {
  it('answers a plain GET itself: upstream head and body, Date, keep-alive, then the next request', async () => {
    seen.length = 0;
    const c = new Client(port).send(GET('/api/echo?n=1', 'X-Trace-Me: yes\r\n'));
    const a = await c.read();
    expect(a.status).toBe(200);
    expect(a.headers).toMatchObject({ connection: 'keep-alive', 'x-route': 'api', 'content-type': 'application/json' });
    expect(a.headers.date).toMatch(/GMT$/);
    expect(a.headers['keep-alive']).toMatch(/^timeout=\d+$/);
    const echoed = JSON.parse(a.body) as { url: string; headers: Record<string, string> };
    expect(echoed.url).toBe('/echo?n=1');
    expect(echoed.headers['x-trace-me']).toBe('yes');
    expect(echoed.headers['x-forwarded-host']).toBe('gw');
    c.send(GET('/api/echo?n=2'));
    expect(JSON.parse((await c.read()).body)).toMatchObject({ url: '/echo?n=2' });
    expect(seen).toEqual(['RawRequest', 'RawRequest']);
    c.close();
  });

  it('sends X-Forwarded-Host and, when the Host header ends in one, X-Forwarded-Port', async () => {
    const c = new Client(port);
    for (const [host, fwdPort] of [['gw:8443', '8443'], ['[::1]:9', '9'], ['[::1]', undefined], ['gw:', undefined], ['gw', undefined]]) {
      c.send(`GET /api/echo HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      const seen = (JSON.parse((await c.read()).body) as { headers: Record<string, string> }).headers;
      expect(seen['x-forwarded-host']).toBe(host);
      expect(seen['x-forwarded-port']).toBe(fwdPort);
    }
    c.close();
  });

  it('answers pipelined requests in order', async () => {
    const c = new Client(port).send(GET('/api/slow?ms=60') + GET('/api/echo?n=2') + GET('/api/echo?n=3'));
    const urls = [];
    for (let i = 0; i < 3; i++) urls.push((JSON.parse((await c.read()).body) as { url?: string }).url);
    expect(urls).toEqual(['/slow?ms=60', '/echo?n=2', '/echo?n=3']);
    c.close();
  });

  it('hands the connection to node:http at a request with a body, mid-connection, in one write or two', async () => {
    const post = 'POST /api/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello';
    for (const split of [false, true]) {
      seen.length = 0;
      const c = new Client(port);
      if (split) {
        c.send(GET('/api/echo?n=1'));
        expect((await c.read()).status).toBe(200);
        c.send(post);
      } else {
        c.send(GET('/api/echo?n=1') + post);
        expect((await c.read()).status).toBe(200);
      }
      expect(JSON.parse((await c.read()).body)).toMatchObject({ method: 'POST', bodySize: 5 });
      c.send(GET('/api/echo?n=3'));
      expect(JSON.parse((await c.read()).body)).toMatchObject({ url: '/echo?n=3' });
      expect(seen).toEqual(['RawRequest', 'IncomingMessage', 'IncomingMessage']);
      c.close();
    }
  });

  it('answers a deep pipeline in order, pausing the socket while more than a head is queued', async () => {
    const n = 600;
    const c = new Client(port);
    // In three writes, so later bytes arrive while earlier requests are in flight.
    for (let part = 0; part < 3; part++) {
      let text = '';
      for (let i = part * 200; i < (part + 1) * 200; i++) text += GET(`/api/echo?i=${i}`);
      c.send(text);
      await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < n; i++) expect((JSON.parse((await c.read()).body) as { url: string }).url).toBe(`/echo?i=${i}`);
    c.close();
  });

  it('hands a WebSocket upgrade on a connection the front began to node:http and the pass-through', async () => {
    const c = new Client(port).send(GET('/api/echo'));
    expect((await c.read()).status).toBe(200);
    c.send(
      'GET /api/ws HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const switched = await c.read(true);
    expect(switched.status).toBe(101);
    expect(switched.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    c.close();
  });

  it("hands the app's own routes to Fastify on a connection the front began", async () => {
    const c = new Client(port).send(GET('/api/echo'));
    await c.read();
    c.send(GET('/own/7'));
    expect(JSON.parse((await c.read()).body)).toEqual({ own: '7' });
    c.send(GET('/api/echo?after=own'));
    expect(JSON.parse((await c.read()).body)).toMatchObject({ url: '/echo?after=own' });
    c.close();
  });

  it('closes after answering Connection: close, and announces close while the server shuts down', async () => {
    const c = new Client(port).send(GET('/api/echo', 'Connection: close\r\n'));
    expect((await c.read()).headers.connection).toBe('close');
    expect(await c.closedByServer()).toBe(true);
    closing = true;
    try {
      const d = new Client(port).send(GET('/api/echo'));
      expect((await d.read()).headers.connection).toBe('close');
      expect(await d.closedByServer()).toBe(true);
    } finally {
      closing = false;
    }
  });

  it('answers a request whose client half-closed right after sending it, then closes', async () => {
    const c = new Client(port);
    c.socket.end(GET('/api/echo?half=1'));
    const a = await c.read();
    expect(JSON.parse(a.body)).toMatchObject({ url: '/echo?half=1' });
    expect(a.headers.connection).toBe('close');
    expect(await c.closedByServer()).toBe(true);
  });

  it('answers HEAD without a body and keeps the connection usable', async () => {
    const c = new Client(port).send(`HEAD /api/echo HTTP/1.1\r\nHost: gw\r\n\r\n`);
    const a = await c.read(true);
    expect(a.status).toBe(200);
    expect(a.body).toBe('');
    c.send(GET('/api/echo?after=head'));
    expect(JSON.parse((await c.read()).body)).toMatchObject({ url: '/echo?after=head' });
    c.close();
  });

  it("frames a streamed (chunked) upstream answer and the gateway's own error answers", async () => {
    const c = new Client(port).send(GET('/api/stream'));
    const a = await c.read();
    expect(a.headers['transfer-encoding']).toBe('chunked');
    expect(a.body.length).toBe(64 * 16384);
    c.send(GET('/nowhere'));
    const e = await c.read();
    expect(e.status).toBe(404);
    expect(Number(e.headers['content-length'])).toBe(Buffer.byteLength(e.body));
    expect(JSON.parse(e.body)).toMatchObject({ code: 'SILK_GATEWAY_NO_ROUTE' });
    c.close();
  });

  it('keeps streamed bodies intact while several upstream answers share the read buffer', async () => {
    // 8 MiB each to clients that do not read for a while: the gateway's writes queue in the
    // socket while later upstream reads reuse the shared buffer.
    const clients = [new Client(port), new Client(port), new Client(port)];
    for (const c of clients) c.socket.pause();
    for (const c of clients) c.send(GET('/api/stream?n=512'));
    await new Promise((r) => setTimeout(r, 300));
    for (const c of clients) c.socket.resume();
    const bodies = await Promise.all(clients.map((c) => c.read()));
    for (const b of bodies) {
      const bytes = Buffer.from(b.body, 'latin1');
      expect(bytes.length).toBe(512 * 16384);
      let intact = true;
      for (let i = 0; i < 512; i++) intact &&= bytes.subarray(i * 16384, (i + 1) * 16384).every((x) => x === i % 256);
      expect(intact).toBe(true);
    }
    for (const c of clients) c.close();
  });

  it('reads a head that arrives a few bytes at a time', async () => {
    const c = new Client(port);
    const text = GET('/api/echo?slowly=1', 'X-A: 1\r\n');
    for (let i = 0; i < text.length; i += 7) {
      c.send(text.slice(i, i + 7));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(JSON.parse((await c.read()).body)).toMatchObject({ url: '/echo?slowly=1' });
    c.close();
  });

  it('passes large fields and leaves a head past maxHeaderSize to node:http (431)', async () => {
    const c = new Client(port).send(GET('/api/echo', `X-Big: ${'b'.repeat(12000)}\r\n`));
    expect((JSON.parse((await c.read()).body) as { headers: Record<string, string> }).headers['x-big']).toHaveLength(12000);
    c.close();
    const d = new Client(port).send(GET('/api/echo', `X-Big: ${'b'.repeat(20000)}\r\n`));
    expect((await d.read()).status).toBe(431);
    d.close();
  });

  it('survives a client that goes away mid-answer', async () => {
    const c = new Client(port).send(GET('/api/stream'));
    await new Promise<void>((r) => c.socket.once('data', () => r()));
    c.close();
    const d = new Client(port).send(GET('/api/echo?after=abort'));
    expect(JSON.parse((await d.read()).body)).toMatchObject({ url: '/echo?after=abort' });
    d.close();
  });

  it.each([
    ['smuggling: Transfer-Encoding beside Content-Length', 'POST /api/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/echo?smuggled HTTP/1.1\r\nHost: gw\r\n\r\n'],
    ['smuggling: two Content-Lengths', 'GET /api/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /api/echo?smuggled HTTP/1.1\r\nHost: gw\r\n\r\n'],
    ['smuggling: space before the colon', 'GET /api/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'],
    ['obs-fold', 'GET /api/echo HTTP/1.1\r\nHost: gw\r\nX-A: a\r\n b\r\n\r\n'],
    ['bare LF', 'GET /api/echo HTTP/1.1\nHost: gw\n\n'],
    ['bare CR in a value', 'GET /api/echo HTTP/1.1\r\nHost: gw\r\nX-A: a\rb\r\n\r\n'],
    ['NUL in a value', 'GET /api/echo HTTP/1.1\r\nHost: gw\r\nX-A: a\u0000b\r\n\r\n'],
    ['no Host', 'GET /api/echo HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['two Hosts', 'GET /api/echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['garbage', 'HELLO THERE\r\n\r\n'],
    ['a bad chunk size', 'POST /api/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n'],
    ['HTTP/1.0 with a body', 'POST /api/echo HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi'],
  ])('answers %s exactly as node:http alone does', async (_what, text) => {
    const viaFront = await exchangeAll(port, text);
    const viaNode = await exchangeAll(nodePort, text);
    expect(viaFront).toEqual(viaNode);
  });
});

/** Sends `text` after one plain GET on the same connection; every answer's status and body, and whether the server closed. */
async function exchangeAll(p: number, text: string): Promise<{ answers: string[]; closed: boolean }> {
  const c = new Client(p).send(GET('/api/echo?first'));
  await c.read();
  c.send(text);
  const answers: string[] = [];
  const done = new Promise((r) => setTimeout(r, 300));
  for (;;) {
    const next = await Promise.race([c.read().catch(() => undefined), done.then(() => null)]);
    if (next === null || next === undefined) break;
    const body = (() => {
      try {
        const j = JSON.parse(next.body) as { url?: string; bodySize?: number; method?: string };
        return `${j.method ?? ''} ${j.url ?? ''} ${j.bodySize ?? ''}`;
      } catch {
        return next.body;
      }
    })();
    answers.push(`${next.status} ${body}`);
  }
  const closed = c.closed;
  c.close();
  return { answers, closed };
}

describe('the raw front on a bare server', () => {
  it('closes idle connections after keepAliveTimeout, answers an unfinished head 408, and lets close() finish', async () => {
    const server = createGatewayServer(gateway);
    server.keepAliveTimeout = 300;
    server.headersTimeout = 600;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const p = (server.address() as AddressInfo).port;
    const idle = new Client(p).send(GET('/api/echo'));
    expect((await idle.read()).headers['keep-alive']).toBe('timeout=0');
    const partial = new Client(p).send('GET /api/echo HTTP/1.1\r\nHost: gw\r\n');
    const started = Date.now();
    expect(await idle.closedByServer()).toBe(true);
    expect(Date.now() - started).toBeLessThan(2500);
    const a = await partial.read();
    expect(a.status).toBe(408);
    const held = new Client(p).send(GET('/api/echo'));
    await held.read();
    await new Promise((r) => server.close(r));
    expect(await held.closedByServer()).toBe(true);
  });
});

describe('the raw front before an https upstream (the undici path)', () => {
  it('streams the answer through undici into the raw response, and stops when the client goes away', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silk-front-tls-'));
    // A throwaway self-signed pair (openssl is on every CI image this project uses).
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(512 * 1024, 7));
      } else res.writeHead(200, { 'content-type': 'text/plain', 'x-tls': 'yes' }).end(`tls ${req.url}`);
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const tlsPort = (tls.address() as AddressInfo).port;
    const gw = new Gateway();
    gw.load(`
spring.cloud.gateway.routes:
  - id: secure
    uri: https://127.0.0.1:${tlsPort}
    predicates: [Path=/s/**]
    filters: [StripPrefix=1]
`);
    const server = createGatewayServer(gw);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const p = (server.address() as AddressInfo).port;
    const prior = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const c = new Client(p).send(GET('/s/hello'));
      const a = await c.read();
      expect(a.status).toBe(200);
      expect(a.headers['x-tls']).toBe('yes');
      expect(a.body).toBe('tls /hello');
      c.send(GET('/s/big'));
      expect((await c.read()).body.length).toBe(512 * 1024);
      c.close();
      const gone = new Client(p).send(GET('/s/big'));
      await new Promise<void>((r) => gone.socket.once('data', () => r()));
      gone.close();
      const after = new Client(p).send(GET('/s/after'));
      expect((await after.read()).body).toBe('tls /after');
      after.close();
    } finally {
      if (prior === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = prior;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gw.close();
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Test helpers: a real upstream (HTTP + WebSocket echo) and a gateway on port 0. */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { registerGateway } from './fastify-adapter.js';
import { Gateway, type GatewayOptions } from './gateway.js';

export interface Upstream {
  server: Server;
  port: number;
  origin: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * /echo        answers method, url, headers and body size as JSON
 * /slow?ms=N   answers after N ms
 * /status/N    answers status N (counts hits per path)
 * /flaky/N     502 for the first N hits of that path, then 200
 * /stream?n=N  a chunked answer of N (default 64) x 16 KiB, block i filled with byte i % 256
 * any upgrade  a WebSocket echo
 */
export async function startUpstream(name = 'upstream'): Promise<Upstream> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const n = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, n);
    void readBody(req).then(async (body) => {
      const [, kind, arg] = url.pathname.split('/');
      if (kind === 'slow') await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? 100)));
      if (kind === 'status') return res.writeHead(Number(arg)).end(`status ${arg}`);
      if (kind === 'flaky' && n <= Number(arg)) return res.writeHead(502).end('flaky');
      if (kind === 'stream') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const blocks = Number(url.searchParams.get('n') ?? 64);
        for (let i = 0; i < blocks; i++) if (!res.write(Buffer.alloc(16384, i % 256))) await once(res, 'drain');
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name, connection: 'keep-alive' });
      return res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, bodySize: body.length }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => ws.on('message', (m: Buffer) => ws.send(`${name}:${req.url}:${m.toString()}`)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface GatewayUnderTest {
  gateway: Gateway;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions = {}, yaml?: string): Promise<GatewayUnderTest> {
  const gateway = new Gateway(opts);
  if (yaml !== undefined) gateway.load(yaml, 'test');
  const app = Fastify();
  await registerGateway(app, gateway);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    gateway,
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await gateway.close();
    },
  };
}

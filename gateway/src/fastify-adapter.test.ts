import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGateway } from './fastify-adapter.js';
import { Gateway } from './gateway.js';
import { startUpstream, type Upstream } from './test-support.js';

let upstream: Upstream;
let app: FastifyInstance;
let gateway: Gateway;
let url: string;
let hooks = 0;
let closing = false;

beforeAll(async () => {
  upstream = await startUpstream('up');
  gateway = new Gateway();
  gateway.load(`
spring.cloud.gateway.routes:
  - id: api
    uri: ${upstream.origin}
    predicates:
      - Path=/api/{segment}/**
    filters:
      - StripPrefix=2
      - AddRequestHeader=X-Seg, {segment}
      - AddResponseHeader=X-Route, api
`);
  app = Fastify();
  app.addHook('onRequest', (_req, _reply, done) => {
    hooks++;
    done();
  });
  app.get('/own/:id', (req) => ({ own: (req.params as { id: string }).id }));
  app.get('/actuator/*', () => ({ actuator: true }));
  await registerGateway(app, gateway, { closing: () => closing });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await gateway?.close();
  await upstream?.close();
});

describe('the gateway mounted on a Fastify app', () => {
  it("leaves the app's own routes to Fastify and takes the rest past Fastify's request cycle", async () => {
    hooks = 0;
    expect(await (await request(`${url}/own/7`)).body.json()).toEqual({ own: '7' });
    expect(await (await request(`${url}/actuator/health`)).body.json()).toEqual({ actuator: true });
    expect(hooks).toBe(2);
    const proxied = await request(`${url}/api/seg/echo?q=1`);
    expect(proxied.statusCode).toBe(200);
    expect(proxied.headers['x-route']).toBe('api');
    const body = (await proxied.body.json()) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/echo?q=1');
    expect(body.headers['x-seg']).toBe('seg');
    expect(hooks).toBe(2);
  });

  it('still proxies what enters Fastify directly (inject), through the catch-all', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/seg/echo' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ url: string }>().url).toBe('/echo');
  });

  it('tells clients to close their connection once the process is closing', async () => {
    closing = true;
    try {
      const res = await request(`${url}/api/seg/echo`);
      await res.body.dump();
      expect(res.headers.connection).toBe('close');
    } finally {
      closing = false;
    }
  });

  it('refuses a URI variable that would smuggle a header into the upstream request', async () => {
    const before = upstream.hits.get('/echo') ?? 0;
    const res = await request(`${url}/api/a%0d%0aX-Evil:%201/echo`);
    const text = await res.body.text();
    if (res.statusCode === 200) expect(text).not.toMatch(/x-evil/i);
    else {
      expect(res.statusCode).toBe(502);
      expect(upstream.hits.get('/echo') ?? 0).toBe(before);
    }
  });
});

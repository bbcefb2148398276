import { request } from 'undici';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, startUpstream, type GatewayUnderTest, type Upstream } from './test-support.js';
import type { ServiceInstance } from '@silk/platform-sdk/nacos';

let a: Upstream;
let b: Upstream;
let gw: GatewayUnderTest;

const routes = (extra = '') => `
spring:
  cloud:
    gateway:
      routes:
        - id: echo
          uri: ${a.origin}
          predicates:
            - Path=/api/{segment}/**
          filters:
            - StripPrefix=1
            - AddRequestHeader=X-Seg, {segment}
            - AddResponseHeader=X-Route, echo
        - id: lb-route
          uri: lb://svc-b
          predicates: [Path=/lb/**]
          filters: [StripPrefix=1]
        - id: slow
          uri: ${a.origin}
          predicates: [Path=/slow/**]
          metadata:
            response-timeout: 150
        - id: refused
          uri: http://127.0.0.1:1
          predicates: [Path=/refused/**]
        - id: sized
          uri: ${a.origin}
          predicates: [Path=/sized/**]
          filters:
            - RequestSize=1KB
            - SetPath=/echo
        - id: retry
          uri: ${a.origin}
          predicates: [Path=/flaky/**]
          filters:
            - name: Retry
              args:
                retries: 3
                statuses: BAD_GATEWAY
        - id: ws
          uri: ws://127.0.0.1:${a.port}
          predicates: [Path=/ws/**]
          filters:
            - RewritePath=/ws/(?<rest>.*), /$\\{rest}
${extra}`;

beforeAll(async () => {
  a = await startUpstream('a');
  b = await startUpstream('b');
  const discovery = {
    choose: (service: string): Promise<ServiceInstance | undefined> =>
      Promise.resolve(
        service === 'svc-b'
          ? { instanceId: 'b', serviceName: 'svc-b', ip: '127.0.0.1', port: b.port, weight: 1, healthy: true, enabled: true, clusterName: 'DEFAULT', metadata: {} }
          : undefined,
      ),
  };
  gw = await startGateway({ discovery }, routes());
});

afterAll(async () => {
  await gw.close();
  await a.close();
  await b.close();
});

const get = (path: string, headers: Record<string, string> = {}) => request(`${gw.url}${path}`, { headers });

describe('proxying through routes', () => {
  it('routes by path, strips the prefix, expands URI variables, forwards ids and X-Forwarded-*', async () => {
    const res = await get('/api/orders/echo?x=1', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-request-id': 'req-1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-route']).toBe('echo');
    const body = (await res.body.json()) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/orders/echo?x=1');
    expect(body.headers['x-seg']).toBe('orders');
    expect(body.headers['x-request-id']).toBe('req-1');
    expect(body.headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(body.headers.traceparent).not.toContain('b7ad6b7169203331');
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(body.headers.host).toBe(`127.0.0.1:${a.port}`);
  });

  it('resolves lb:// through discovery', async () => {
    const res = await get('/lb/echo');
    expect(((await res.body.json()) as { name: string }).name).toBe('b');
  });

  it('streams a large request body up and a chunked answer down', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(65536, i));
    const up = await request(`${gw.url}/api/x/echo`, { method: 'POST', body: Readable.from(chunks) });
    expect(((await up.body.json()) as { bodySize: number }).bodySize).toBe(40 * 65536);
    const down = await get('/api/stream');
    const buf = Buffer.from(await down.body.arrayBuffer());
    expect(buf.length).toBe(64 * 16384);
    expect(buf[63 * 16384]).toBe(63);
  });

  it('answers coded JSON for no route, refused connections and response timeouts', async () => {
    const none = await get('/nowhere');
    expect(none.statusCode).toBe(404);
    expect(await none.body.json()).toMatchObject({ code: 'SILK_GATEWAY_NO_ROUTE', path: '/nowhere' });
    const refused = await get('/refused/x');
    expect(refused.statusCode).toBe(502);
    expect(await refused.body.json()).toMatchObject({ code: 'SILK_GATEWAY_UPSTREAM_CONNECT' });
    const slow = await get('/slow?ms=1000');
    expect(slow.statusCode).toBe(504);
    expect(await slow.body.json()).toMatchObject({ code: 'SILK_GATEWAY_UPSTREAM_TIMEOUT' });
    const fast = await get('/slow?ms=10');
    expect(fast.statusCode).toBe(200);
    await fast.body.dump();
  });

  it('refuses oversized bodies by Content-Length and while streaming, and keeps serving', async () => {
    const big = await request(`${gw.url}/sized`, { method: 'POST', body: Buffer.alloc(2000) });
    expect(big.statusCode).toBe(413);
    expect(big.headers.errormessage).toBe('Request size is larger than permissible limit. Request size is 2.0 kB where permissible limit is 1.0 kB');
    expect(await big.body.json()).toMatchObject({ code: 'SILK_GATEWAY_BODY_TOO_LARGE' });
    const chunked = await request(`${gw.url}/sized`, { method: 'POST', body: Readable.from([Buffer.alloc(800), Buffer.alloc(800)]) });
    expect(chunked.statusCode).toBe(413);
    await chunked.body.dump();
    const small = await request(`${gw.url}/sized`, { method: 'POST', body: Buffer.alloc(500) });
    expect(small.statusCode).toBe(200);
    expect(((await small.body.json()) as { bodySize: number }).bodySize).toBe(500);
  });

  it('retries a GET on a retryable status', async () => {
    const res = await get('/flaky/2');
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(a.hits.get('/flaky/2')).toBe(3);
  });

  it('passes WebSocket upgrades through, with the rewritten path', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws/chat`);
    await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
    ws.send('hello');
    const msg = await new Promise<Buffer>((res) => ws.once('message', (m: Buffer) => res(m)));
    expect(msg.toString()).toBe('a:/chat:hello');
    ws.close();
  });
});

describe('route set reloads', () => {
  it('refuses a broken set whole, keeps the previous one, and swaps a good one without failing requests in flight', async () => {
    expect(() => gw.gateway.load('spring.cloud.gateway.routes: [{id: x, uri: "lb://"}]', 'test')).toThrow(/rejected/);
    expect(() => gw.gateway.load(routes('        - {id: bad, uri: http://h:1, predicates: [Path=/a/**/b]}'), 'test')).toThrow(/route 'bad'/);
    expect((await get('/api/x/echo')).statusCode).toBe(200);
    const inflight = get('/slow/hold?ms=100');
    let failures = 0;
    let done = 0;
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop) {
          const r = await get('/api/x/echo');
          if (r.statusCode !== 200) failures++;
          await r.body.dump();
          done++;
        }
      }),
    );
    for (let i = 0; i < 20; i++) {
      gw.gateway.load(routes(`        - {id: extra-${i}, uri: "${b.origin}", predicates: [Path=/extra/**]}`), 'test');
      await new Promise((r) => setTimeout(r, 10));
    }
    stop = true;
    await load;
    expect((await inflight).statusCode).toBe(200);
    expect(failures).toBe(0);
    expect(done).toBeGreaterThan(20);
    const extra = await get('/extra/echo');
    expect(((await extra.body.json()) as { name: string }).name).toBe('b');
  });
});

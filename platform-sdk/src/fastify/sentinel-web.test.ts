import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSentinel, ManualClock, type Sentinel } from '../sentinel/index.js';
import { DEFAULT_BLOCK_BODY, registerSentinelWeb, type SentinelWebOptions } from './sentinel-web.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(sentinel: Sentinel, opts: Partial<SentinelWebOptions> = {}): Promise<FastifyInstance> {
  app = Fastify();
  registerSentinelWeb(app, { sentinel, ...opts });
  app.get('/orders/:id', (req) => ({ id: (req.params as { id: string }).id }));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/actuator/health', () => ({ status: 'UP' }));
  await app.ready();
  return app;
}

describe('Sentinel around Fastify routes', () => {
  it('guards the route template as the resource and answers 429 with Java’s body past the limit', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: '/orders/:id', count: 2 }]);
    const a = await serve(sentinel);
    const codes = [];
    for (const id of [1, 2, 3]) codes.push((await a.inject(`/orders/${id}`)).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const blocked = await a.inject('/orders/4');
    expect(blocked.body).toBe(DEFAULT_BLOCK_BODY);
    const node = sentinel.clusterNode('/orders/:id');
    expect(node?.passQps()).toBe(2);
    expect(node?.blockQps()).toBe(2);
  });

  it('prefixes the method when httpMethodSpecify is on, and leaves unmatched and actuator paths alone', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([
      { resource: 'GET:/orders/:id', count: 0 },
      { resource: '/actuator/health', count: 0 },
    ]);
    const a = await serve(sentinel, { httpMethodSpecify: true });
    expect((await a.inject('/orders/1')).statusCode).toBe(429);
    expect((await a.inject('/actuator/health')).statusCode).toBe(200);
    expect((await a.inject('/nowhere')).statusCode).toBe(404);
    expect(sentinel.clusterNode('/nowhere')).toBeUndefined();
  });

  it('takes the origin from the configured header, so limitApp rules match the caller', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: '/orders/:id', count: 0, limitApp: 'batch-job' }]);
    sentinel.authorityRules.loadRules([{ resource: '/boom', limitApp: 'intruder', strategy: 1 }]);
    const a = await serve(sentinel, { originHeader: 's-user' });
    expect((await a.inject({ url: '/orders/1', headers: { 's-user': 'batch-job' } })).statusCode).toBe(429);
    expect((await a.inject({ url: '/orders/1', headers: { 's-user': 'web' } })).statusCode).toBe(200);
    expect((await a.inject('/orders/1')).statusCode).toBe(200);
    expect((await a.inject({ url: '/boom', headers: { 's-user': 'intruder' } })).statusCode).toBe(429);
  });

  it('counts a handler’s error as an exception, so an exception-count breaker opens', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.degradeRules.loadRules([
      { resource: '/boom', grade: 2, count: 2, timeWindow: 10, minRequestAmount: 1, statIntervalMs: 1000 },
    ]);
    const a = await serve(sentinel);
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await a.inject('/boom')).statusCode);
    // Exception count > 2 opens the breaker: the fourth request is already refused.
    expect(codes).toEqual([500, 500, 500, 429, 429]);
    expect(sentinel.clusterNode('/boom')?.exceptionQps()).toBe(3);
  });

  it('lets a custom block handler shape the reply', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: '/orders/:id', count: 0 }]);
    const a = await serve(sentinel, {
      blockHandler: (block, _req, reply) =>
        reply.code(503).send({ blocked: block.kind, resource: block.resource }),
    });
    const res = await a.inject('/orders/1');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ blocked: 'flow', resource: '/orders/:id' });
  });

  it('releases the thread count when requests finish (thread-grade rule)', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: '/orders/:id', grade: 0, count: 1 }]);
    const a = await serve(sentinel);
    for (let i = 0; i < 3; i++) expect((await a.inject('/orders/1')).statusCode).toBe(200);
    expect(sentinel.clusterNode('/orders/:id')?.curThreadNum()).toBe(0);
  });

  it('answers a block with the configured status and body, or redirects to the block page', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: '/orders/:id', count: 0 }]);
    const a = await serve(sentinel, { blockStatus: 503, blockBody: 'busy, try later' });
    const res = await a.inject('/orders/1');
    expect([res.statusCode, res.body]).toEqual([503, 'busy, try later']);
    await a.close();
    app = undefined;
    const b = await serve(sentinel, { blockPage: '/busy.html' });
    const redirected = await b.inject('/orders/1');
    expect([redirected.statusCode, redirected.headers.location]).toEqual([302, '/busy.html']);
  });
});

/**
 * The cache and the locks through Redis Sentinel, for real: a master, a replica and a sentinel
 * started by this test (Debian's redis-server, loopback, temp dir), and ioredis clients that
 * find the master by asking the sentinel. Then the master is SIGKILLed: the sentinel promotes
 * the replica, reads meanwhile come from the source, and the caches follow the new master.
 *
 * Writers stop before the kill: replication is asynchronous, so an eviction the old master
 * acknowledged just before dying may be missing on the promoted replica, and no client-side
 * scheme can see that (WAIT on every eviction could; Silk does not do it).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from './cache.js';
import { LockClient } from './lock-client.js';
import { recordingLogger, sleepMs } from './redis-it-support.js';
import { LocalRedisSentinel, waitUntil } from './redis-topology-support.js';

const setup = new LocalRedisSentinel();
const clients: Redis[] = [];
const stops: { stop(): Promise<void> }[] = [];
const source = new Map<string, number>();
let a: Cache<string, number>;
let b: Cache<string, number>;

function client(): Redis {
  const c = setup.client();
  c.on('error', () => undefined); // refused connections during the failover are expected
  clients.push(c);
  return c;
}

function instance(): Cache<string, number> {
  const cache = new Cache<string, number>({
    name: 'sentinel',
    redis: client(),
    subscriber: client(),
    redisTimeoutMs: 500,
    logger: recordingLogger(),
    loader: (k) => Promise.resolve(source.get(k) ?? 0),
  });
  stops.push(cache);
  return cache;
}

beforeAll(async () => {
  await setup.start();
  a = instance();
  b = instance();
  await Promise.all([a.start(), b.start()]);
}, 60_000);

afterAll(async () => {
  // A stop that unsubscribes on a connection to the dead master would wait for it: bounded.
  for (const s of stops.reverse()) await Promise.race([s.stop().catch(() => undefined), sleepMs(1_000)]);
  for (const c of clients) c.disconnect();
  await setup.stop();
}, 30_000);

describe('cache and locks through Redis Sentinel', () => {
  it('caches through the master the sentinel names, and invalidates across instances', async () => {
    source.set('p1', 1);
    expect(await a.get('p1')).toBe(1);
    expect(await b.get('p1')).toBe(1);
    expect(b.stats().hitsRedis).toBe(1); // b found what a stored, on the same master
    source.set('p1', 2);
    await a.evict('p1');
    await sleepMs(100);
    expect(await b.get('p1')).toBe(2);
    expect(b.stats().remoteInvalidations).toBeGreaterThanOrEqual(1);
  });

  it('locks exclude each other through the sentinel-found master', async () => {
    const lockClients = [1, 2].map(() => new LockClient({ redis: client(), subscriber: client() }));
    stops.push(...lockClients);
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      lockClients.map(async (c) => {
        for (let i = 0; i < 15; i++) {
          await c.getLock('silk-it-sentinel-lock').withLock(
            async () => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              await sleepMs(2);
              inside--;
            },
            { waitTime: 20_000 },
          );
        }
      }),
    );
    expect(maxInside).toBe(1);
  });

  it('the master killed: reads come from the source during the failover, then the caches use the promoted replica', async () => {
    const keys = ['f1', 'f2', 'f3'];
    for (const k of keys) source.set(k, 10);
    for (const k of keys) expect(await a.get(k)).toBe(10);
    const oldMaster = setup.master.port;
    await setup.master.kill();

    // While the sentinel has not yet failed over, the source answers; writes reach every L1.
    for (const k of keys) source.set(k, 11);
    await Promise.all(keys.map((k) => a.evict(k)));
    for (const k of keys) {
      expect(await a.get(k)).toBe(11);
      expect(await b.get(k)).toBe(11);
    }
    expect(a.stats().redisBypasses + b.stats().redisBypasses).toBeGreaterThan(0);

    const admin = client();
    await waitUntil(
      'the sentinel to promote the replica',
      async () => {
        const role = (await admin.role().catch(() => [])) as unknown[];
        return role[0] === 'master' && admin.options.port !== oldMaster;
      },
      20_000,
    );
    // Caching again on the new master: a load stores, the other instance hits Redis.
    source.set('f4', 42);
    await waitUntil('a value stored on the new master', async () => {
      await a.get('f4');
      return (await admin.get('silk:cache:sentinel:f4').catch(() => null)) === '42';
    });
    const hits = b.stats().hitsRedis;
    expect(await b.get('f4')).toBe(42);
    expect(b.stats().hitsRedis).toBe(hits + 1);
    for (const k of keys) for (const c of [a, b]) expect(await c.get(k)).toBe(11);
  }, 60_000);
});

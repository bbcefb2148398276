/**
 * The cache against a real Redis. Each Cache instance gets its own ioredis connections, standing
 * for a separate process; keys live under a unique prefix per run and are deleted afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { Cache } from './cache.js';
import type { CacheOptions } from './cache-options.js';
import { CacheLoadError } from './errors.js';
import {
  Connections,
  deleteByPrefix,
  eventually,
  recordingLogger,
  sleepMs,
  uniquePrefix,
} from './redis-it-support.js';

const conns = new Connections();
let admin: Redis;
const prefix = uniquePrefix('cache');
const caches: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  admin = await conns.open();
});

afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await deleteByPrefix(admin, prefix);
  await conns.closeAll();
});

/** A cache on its own connections, as another process would have. */
async function instance<V>(
  options: Omit<CacheOptions<string, V>, 'redis' | 'keyPrefix'>,
): Promise<Cache<string, V>> {
  const cache = new Cache<string, V>({
    ...options,
    redis: await conns.open(),
    subscriber: await conns.open(),
    keyPrefix: prefix,
  });
  await cache.start();
  caches.push(cache);
  return cache;
}

describe('Cache on Redis', () => {
  it('stampede: one expiry of a hot key causes exactly one load across instances', async () => {
    let loads = 0;
    const loader = async (key: string): Promise<string> => {
      loads++;
      await sleepMs(150);
      return `value-of-${key}-${loads}`;
    };
    const options = {
      name: 'stampede',
      loader,
      ttlMs: 400,
      ttlJitter: 0,
      local: { maxEntries: 100, ttlMs: 100 },
    };
    const instances = await Promise.all([1, 2, 3, 4, 5].map(() => instance<string>(options)));
    const readAll = (): Promise<(string | undefined)[]> =>
      Promise.all(instances.flatMap((c) => Array.from({ length: 20 }, () => c.get('hot'))));

    const first = await readAll();
    expect(loads).toBe(1);
    expect(new Set(first)).toEqual(new Set(['value-of-hot-1']));

    await sleepMs(500); // past the Redis TTL and the L1 TTL: the hot key has expired everywhere
    expect(await admin.exists(`${prefix}stampede:hot`)).toBe(0);
    const second = await readAll();
    expect(loads).toBe(2);
    expect(new Set(second)).toEqual(new Set(['value-of-hot-2']));
    const totals = instances.map((c) => c.stats()).reduce((a, s) => a + s.loads, 0);
    expect(totals).toBe(2);
  });

  it('consistency: after concurrent writers stop, no level holds a value older than the source', async () => {
    const source = new Map<string, number>();
    const keys = ['a', 'b', 'c'];
    for (const k of keys) source.set(k, 0);
    // A slow read: the value is taken from the source first, and handed back later, which is
    // exactly how a load races a write.
    const loader = async (key: string): Promise<number> => {
      const value = source.get(key) ?? -1;
      await sleepMs(Math.random() * 15);
      return value;
    };
    const instances = await Promise.all(
      [1, 2, 3].map(() =>
        instance<number>({
          name: 'consistency',
          loader,
          ttlMs: 60_000,
          local: { maxEntries: 100, ttlMs: 60_000 },
        }),
      ),
    );
    let running = true;
    const writer = async (writerIndex: number): Promise<void> => {
      const cache = instances[writerIndex % instances.length]!;
      while (running) {
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        source.set(key, (source.get(key) ?? 0) + 1); // the "database" write...
        await cache.evict(key); // ...then invalidation
        await sleepMs(Math.random() * 5);
      }
    };
    const reader = async (readerIndex: number): Promise<void> => {
      const cache = instances[readerIndex % instances.length]!;
      while (running) {
        await cache.get(keys[Math.floor(Math.random() * keys.length)]!);
        await sleepMs(Math.random() * 3);
      }
    };
    const work = [...[0, 1, 2].map(writer), ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map(reader)];
    await sleepMs(2_500);
    running = false;
    await Promise.all(work);
    await sleepMs(200); // let the last invalidation messages arrive

    for (const key of keys) {
      const truth = source.get(key);
      const raw = await admin.get(`${prefix}consistency:${key}`);
      if (raw !== null) expect(Number(raw)).toBe(truth);
      for (const cache of instances) expect(await cache.get(key)).toBe(truth);
    }
    const stats = instances.map((c) => c.stats());
    // The test only means something if every path ran: L1 hits, Redis hits, loads, invalidations.
    expect(stats.reduce((a, s) => a + s.hitsLocal, 0)).toBeGreaterThan(0);
    expect(stats.reduce((a, s) => a + s.hitsRedis, 0)).toBeGreaterThan(0);
    expect(stats.reduce((a, s) => a + s.loads, 0)).toBeGreaterThan(10);
    expect(stats.reduce((a, s) => a + s.remoteInvalidations, 0)).toBeGreaterThan(10);
  });

  it('two levels: evict and set on one instance drop the L1 copies of the others', async () => {
    let version = 1;
    const loader = (): Promise<number> => Promise.resolve(version);
    const a = await instance<number>({ name: 'two-level', loader });
    const b = await instance<number>({ name: 'two-level', loader });
    expect(await a.get('k')).toBe(1);
    expect(await b.get('k')).toBe(1);
    expect(await b.get('k')).toBe(1);
    expect(b.stats().hitsLocal).toBe(1);
    expect(b.stats().hitsRedis).toBe(1);

    version = 2;
    await a.evict('k');
    expect(await eventually(async () => (await b.get('k')) === 2)).toBe(true);
    expect(b.stats().remoteInvalidations).toBeGreaterThanOrEqual(1);

    await a.set('k', 3);
    expect(await eventually(async () => (await b.get('k')) === 3)).toBe(true);
    expect(await a.get('k')).toBe(3);
    // An instance ignores its own messages: A received none of its two.
    expect(a.stats().remoteInvalidations).toBe(0);
  });

  it('negative caching: a "not found" is cached briefly, then asked again', async () => {
    let loads = 0;
    const loader = (): Promise<string | undefined> => {
      loads++;
      return Promise.resolve(undefined);
    };
    const cache = await instance<string>({ name: 'negative', loader, negativeTtlMs: 200 });
    expect(await cache.get('missing')).toBeUndefined();
    expect(await cache.get('missing')).toBeUndefined();
    expect(loads).toBe(1);
    await sleepMs(300);
    expect(await cache.get('missing')).toBeUndefined();
    expect(loads).toBe(2);
  });

  it('a corrupt value in Redis is a logged miss, not an exception, and is replaced', async () => {
    const logger = recordingLogger();
    const cache = await instance<{ id: number }>({
      name: 'corrupt',
      logger,
      loader: () => Promise.resolve({ id: 7 }),
    });
    await admin.set(`${prefix}corrupt:x`, '{"id": 7, oops', 'PX', 60_000);
    await expect(cache.get('x')).resolves.toEqual({ id: 7 });
    expect(cache.stats().corruptValues).toBe(1);
    expect(logger.warnings.some((m) => m.includes('cannot be decoded'))).toBe(true);
    expect(await admin.get(`${prefix}corrupt:x`)).toBe('{"id":7}');
  });

  it('a failing loader gives SILK_CACHE_LOAD_FAILED and releases its lease at once', async () => {
    let fail = true;
    const loader = (): Promise<string> =>
      fail ? Promise.reject(new Error('db down')) : Promise.resolve('ok');
    const a = await instance<string>({ name: 'failing', loader, lease: { ttlMs: 10_000 } });
    const b = await instance<string>({ name: 'failing', loader, lease: { ttlMs: 10_000 } });
    const err = await a.get('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheLoadError);
    expect((err as CacheLoadError).code).toBe('SILK_CACHE_LOAD_FAILED');
    expect(a.stats().loadFailures).toBe(1);
    fail = false;
    const started = Date.now();
    expect(await b.get('k')).toBe('ok');
    expect(Date.now() - started).toBeLessThan(1_000); // not waiting out a 10 s lease
  });

  it('double delete removes a stale value written back after the first delete', async () => {
    const cache = await instance<string>({
      name: 'double',
      loader: () => Promise.resolve('fresh'),
      doubleDeleteDelayMs: 150,
    });
    await cache.evict('k');
    await admin.set(`${prefix}double:k`, '"stale"', 'PX', 60_000); // a slow writer racing the first delete
    expect(await eventually(async () => (await admin.exists(`${prefix}double:k`)) === 0, 1_000)).toBe(true);
    expect(await cache.get('k')).toBe('fresh');
  });

  it('invalidateAfter evicts once the commit resolves, and not on rollback', async () => {
    let version = 1;
    const cache = await instance<number>({ name: 'after', loader: () => Promise.resolve(version) });
    expect(await cache.get('k')).toBe(1);
    version = 2;
    await expect(cache.invalidateAfter(Promise.reject(new Error('rollback')), 'k')).rejects.toThrow(
      'rollback',
    );
    expect(await cache.get('k')).toBe(1);
    await expect(cache.invalidateAfter(Promise.resolve('committed'), 'k')).resolves.toBe('committed');
    expect(await cache.get('k')).toBe(2);
  });
  it('a read that begins after a write was heard does not join a load that read the source before it', async () => {
    let version = 1;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let loads = 0;
    // The first load reads the source and then stalls (as a Redis step stalls during a cluster
    // failover); later loads answer at once.
    const loader = async (): Promise<number> => {
      const seen = version;
      if (loads++ === 0) await gate;
      return seen;
    };
    const reader = await instance<number>({ name: 'late-join', loader });
    const writer = await instance<number>({ name: 'late-join', loader });
    const early = reader.get('k');
    await eventually(() => Promise.resolve(loads === 1));
    version = 2;
    await writer.evict('k');
    expect(await eventually(() => Promise.resolve(reader.stats().remoteInvalidations >= 1))).toBe(true);
    // A flight of its own, not the stalled one (which would answer 1, and only once released).
    const late = await Promise.race([reader.get('k'), sleepMs(2_000).then(() => 'joined the stalled load')]);
    release();
    expect(late).toBe(2);
    expect(await early).toBe(1); // asked before the write: the old value is a fair answer
    expect(await reader.get('k')).toBe(2); // and the stale load filled no level
    expect(await writer.get('k')).toBe(2);
  });
  it("a read racing the writer's own eviction cannot leave the old value in the writer's L1", async () => {
    let version = 1;
    const cache = await instance<number>({ name: 'own-race', loader: () => Promise.resolve(version) });
    expect(await cache.get('k')).toBe(1); // in Redis and in L1
    version = 2;
    // The read starts while the eviction is on its way: its GET can reach Redis first and see 1,
    // and this instance ignores its own invalidation message.
    const evicted = cache.evict('k');
    const racing = cache.get('k');
    await evicted;
    expect([1, 2]).toContain(await racing); // began before the eviction returned: either is fair
    expect(await cache.get('k')).toBe(2);
  });
});

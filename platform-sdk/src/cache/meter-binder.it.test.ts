/**
 * A real cache on the real Redis, bound to a service's MeterRegistry: the scrape carries the
 * Micrometer cache meters with the figures the cache's own stats hold.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MeterRegistry } from '../observability/index.js';
import { Cache } from './cache.js';
import { bindCacheMetrics } from './meter-binder.js';
import { Connections, deleteByPrefix, recordingLogger, uniquePrefix } from './redis-it-support.js';

const conns = new Connections();
const prefix = uniquePrefix('meters');

afterAll(async () => {
  await deleteByPrefix(await conns.open(), prefix);
  await conns.closeAll();
});

/** The value of the series `name{labels}` in a text scrape, or undefined. */
function sample(scrape: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of scrape.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const have = new Map([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

describe('bindCacheMetrics', () => {
  it('exports gets, puts, evictions, size and loads under Micrometer names, read at scrape time', async () => {
    const meters = new MeterRegistry({ application: 'meter-test' });
    const redis = await conns.open();
    const cache = new Cache<string, string>({
      name: 'products',
      redis,
      subscriber: await conns.open(),
      keyPrefix: prefix,
      local: { maxEntries: 2 },
      logger: recordingLogger(),
      loader: (k) => (k === 'boom' ? Promise.reject(new Error('db down')) : Promise.resolve(`v-${k}`)),
    });
    const unbind = bindCacheMetrics(meters, cache, { cacheManager: 'silk' });
    try {
      for (const k of ['a', 'b', 'c']) await cache.get(k); // 3 misses, 3 loads, 3 puts; L1 holds 2
      await cache.get('c'); // L1 hit
      cache.clearLocal();
      await cache.get('a'); // Redis hit
      await expect(cache.get('boom')).rejects.toThrow();
      const text = await meters.scrape();
      const tags = { cache: 'products', cache_manager: 'silk', application: 'meter-test' };
      const s = cache.stats();
      expect(sample(text, 'cache_gets_total', { ...tags, result: 'hit' })).toBe(2);
      expect(sample(text, 'cache_gets_total', { ...tags, result: 'miss' })).toBe(s.misses);
      expect(s.misses).toBe(3); // the failed load throws before it is counted as an answer
      expect(sample(text, 'cache_puts_total', tags)).toBe(3);
      expect(sample(text, 'cache_evictions_total', tags)).toBe(1);
      expect(sample(text, 'cache_size', tags)).toBe(1);
      expect(sample(text, 'cache_load_total', { ...tags, result: 'success' })).toBe(3);
      expect(sample(text, 'cache_load_total', { ...tags, result: 'failure' })).toBe(1);
      expect(sample(text, 'cache_load_duration_seconds', tags)).toBeCloseTo(s.loadTimeTotalMs / 1000, 6);
      expect(text).toMatch(/# TYPE cache_gets_total counter/);
      expect(text).toMatch(/# TYPE cache_size gauge/);

      unbind();
      expect(sample(await meters.scrape(), 'cache_gets_total', { ...tags, result: 'hit' })).toBeUndefined();
    } finally {
      await cache.stop();
    }
  });

  it('two caches on one registry share the families, each under its own name', async () => {
    const meters = new MeterRegistry({ application: 'meter-test' });
    const make = async (name: string) =>
      new Cache<string, number>({
        name,
        redis: await conns.open(),
        subscriber: await conns.open(),
        keyPrefix: prefix,
        loader: () => Promise.resolve(1),
      });
    const [x, y] = [await make('x'), await make('y')];
    bindCacheMetrics(meters, x);
    bindCacheMetrics(meters, y);
    try {
      await x.get('k');
      await x.get('k');
      await y.get('k');
      const text = await meters.scrape();
      expect(
        sample(text, 'cache_gets_total', { cache: 'x', cache_manager: 'cacheManager', result: 'hit' }),
      ).toBe(1);
      expect(sample(text, 'cache_gets_total', { cache: 'y', result: 'miss' })).toBe(1);
      expect(sample(text, 'cache_gets_total', { cache: 'y', result: 'hit' })).toBe(0);
    } finally {
      await Promise.all([x.stop(), y.stop()]);
    }
  });
});

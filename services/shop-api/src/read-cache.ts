/**
 * The estate's policy for caching reads of rows it also writes (products, balances): two
 * levels, a short negative TTL, and a second delete 2 s after each eviction. The second delete
 * covers the AT window: until the global transaction ends, the written value is visible (AT
 * reads uncommitted, as Seata's default does) and a rollback restores the row behind the cache.
 */
import type { Redis } from 'ioredis';
import { Cache, type Loader } from '@silk/platform-sdk/cache';

export function readCache<V>(name: string, redis: Redis, loader: Loader<string, V>): Cache<string, V> {
  return new Cache<string, V>({
    name,
    redis,
    ttlMs: 300_000,
    negativeTtlMs: 10_000,
    local: { maxEntries: 10_000, ttlMs: 30_000 },
    doubleDeleteDelayMs: 2_000,
    loader,
  });
}

/**
 * cache: Redis-backed caching and distributed locks, shared with the Java side.
 *
 * Cache (cache-aside, two levels):
 *  - `new Cache({ name, redis, loader })`; `get(key)` answers from the in-process LRU, then Redis,
 *    then the loader. A loader's `undefined` is "not found" and is cached briefly (negative caching).
 *  - One expiry causes one reload across all processes: per-key single flight in-process, and a
 *    short Redis lease (SET NX PX) across processes; the others poll until the value appears.
 *  - Writes: change the source of truth, then `evict(key)` (optionally a delayed second delete);
 *    every instance's LRU is dropped over the cache's pub/sub channel. An eviction Redis does not
 *    take (a node down) is still published, retried in the background until it lands, and the
 *    writer reads that key from the loader meanwhile; `evict` does not throw for it. `invalidateAfter(commit,
 *    ...keys)` evicts once a commit resolves. A load racing a write never stores what it read.
 *  - Writers elsewhere (Java too) invalidate over RocketMQ: tag = cache name, keys = cache keys
 *    (`cacheInvalidationHandler`, `cacheInvalidationMessage`; see mq-invalidation.ts).
 *  - Values are JSON by default; a value that cannot be decoded is a logged miss, never thrown.
 *  - `stats()` is a plain counter snapshot; `bindCacheMetrics(meters, cache)` exports it with
 *    Micrometer's cache meter names (cache_gets_total{result}, cache_puts_total, ...).
 *
 * Locks (Redisson-compatible):
 *  - `new LockClient({ redis }).getLock(name)` is the same lock as Redisson 4.x's
 *    `redisson.getLock(name)`: same hash layout, lease, unlock channel and message; Java and Node
 *    holders exclude each other. Without `leaseTime`, the watchdog renews the 30 s lease every 10 s.
 *  - Only the owner unlocks (SILK_LOCK_NOT_OWNER otherwise); `fenced: true` adds a fencing token.
 *
 * Topologies: `redis` may be a standalone or Sentinel-managed `Redis`, or a `Cluster`; keys a
 * script touches together share a hash slot (cache-scripts.ts, lock-scripts.ts). In a cluster
 * Silk publishes unlock messages with PUBLISH; Redisson, when its cluster supports sharded pub/sub
 * (Redis 7, shardedSubscriptionMode AUTO), uses SPUBLISH/SSUBSCRIBE there, so across a cluster
 * Java and Node waiters wake on the holder's lease running out rather than on each other's
 * unlock message (exclusion is unaffected).
 *
 * Errors are coded (SILK_CACHE_*, SILK_LOCK_*) subclasses of SilkError; see errors.ts.
 */
export { Cache } from './cache.js';
export type { CacheOptions, Loader } from './cache-options.js';
export type { CacheStatsSnapshot } from './stats.js';
export {
  bindCacheMetrics,
  type CacheMeterOptions,
  type CacheMeterTarget,
  type MeteredCache,
} from './meter-binder.js';
export { jsonCodec, stringCodec, type Codec, type KeyCodec } from './codec.js';
export {
  CACHE_INVALIDATION_TOPIC,
  cacheInvalidationHandler,
  cacheInvalidationMessage,
  cacheInvalidationSubscription,
  type InvalidatedCache,
} from './mq-invalidation.js';
export { systemClock, type Clock, type RandomSource } from './clock.js';
export type { CacheLogger } from './logger.js';
export { LockClient, type LockClientOptions } from './lock-client.js';
export type { RedisClient } from './lua.js';
export { RLock, type LockHandle, type LockOptions } from './lock.js';
export { lockChannelName, lockField, UNLOCK_MESSAGE } from './lock-scripts.js';
export {
  CACHE_ERROR_CODES,
  CacheClosedError,
  CacheEncodeError,
  CacheError,
  CacheLoadError,
  CacheOptionsError,
  LockAbortedError,
  LockNotOwnerError,
  LockTimeoutError,
  type CacheErrorCode,
} from './errors.js';

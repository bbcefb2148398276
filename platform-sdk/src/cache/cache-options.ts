/**
 * Options of a Cache and their defaults, checked once at construction so a bad value fails
 * loudly at startup instead of as odd behaviour under load.
 */
import type { RedisClient } from './lua.js';
import { systemClock, type Clock, type RandomSource } from './clock.js';
import { defaultKeyCodec, jsonCodec, type Codec, type KeyCodec } from './codec.js';
import { CacheOptionsError } from './errors.js';
import { consoleLogger, type CacheLogger } from './logger.js';

/** What a loader returns for "the source has no such entry" (cached briefly: negative caching). */
export type Loader<K, V> = (key: K) => Promise<V | undefined>;

export interface CacheOptions<K, V> {
  /** The cache's name: part of every key and of its invalidation channel. */
  name: string;
  /** Connection for commands. */
  redis: RedisClient;
  /** Connection for pub/sub; by default `redis.duplicate()`, owned and closed by the cache. */
  subscriber?: RedisClient;
  /** Prefix of every key and channel (default "silk:cache:"). */
  keyPrefix?: string;
  /** Redis TTL of a value (default 10 min), spread by `ttlJitter`. */
  ttlMs?: number;
  /** Relative spread of TTLs in [0, 1) (default 0.1: ±10 %). */
  ttlJitter?: number;
  /** Redis TTL of a "not found" (default 30 s); 0 turns negative caching off. */
  negativeTtlMs?: number;
  /** The in-process level; `false` turns it off. */
  local?: { maxEntries?: number; ttlMs?: number } | false;
  /** Stampede protection: how long a loader may hold the lease, and how others wait for it. */
  lease?: { ttlMs?: number; waitMs?: number; pollMs?: number };
  /** If > 0, `evict` deletes again after this delay (double delete). Default 0. */
  doubleDeleteDelayMs?: number;
  /**
   * How long a read waits for Redis before going to the loader directly (default 1000 ms):
   * with Redis down, `get` still answers from the source of truth, uncached.
   */
  redisTimeoutMs?: number;
  codec?: Codec<V>;
  keyCodec?: KeyCodec<K>;
  /** Default loader for `get(key)` when no loader is passed. */
  loader?: Loader<K, V>;
  clock?: Clock;
  random?: RandomSource;
  logger?: CacheLogger;
}

export interface ResolvedCacheOptions<K, V> {
  name: string;
  redis: RedisClient;
  subscriber: RedisClient | undefined;
  keyPrefix: string;
  ttlMs: number;
  ttlJitter: number;
  negativeTtlMs: number;
  local: { maxEntries: number; ttlMs: number } | false;
  lease: { ttlMs: number; waitMs: number; pollMs: number };
  doubleDeleteDelayMs: number;
  redisTimeoutMs: number;
  codec: Codec<V>;
  keyCodec: KeyCodec<K>;
  loader: Loader<K, V> | undefined;
  clock: Clock;
  random: RandomSource;
  logger: CacheLogger;
}

function check(cache: string, option: string, value: number, ok: boolean, expected: string): number {
  if (!Number.isFinite(value) || !ok) throw new CacheOptionsError(cache, option, value, expected);
  return value;
}

export function resolveCacheOptions<K, V>(o: CacheOptions<K, V>): ResolvedCacheOptions<K, V> {
  const name = o.name;
  if (typeof name !== 'string' || name === '' || /[\s{}]/.test(name)) {
    throw new CacheOptionsError(String(name), 'name', name, 'a non-empty name without spaces or braces');
  }
  const ttlMs = check(name, 'ttlMs', o.ttlMs ?? 600_000, (o.ttlMs ?? 1) > 0, 'a TTL > 0 ms');
  const ttlJitter = o.ttlJitter ?? 0.1;
  check(name, 'ttlJitter', ttlJitter, ttlJitter >= 0 && ttlJitter < 1, 'a fraction in [0, 1)');
  const negativeTtlMs = o.negativeTtlMs ?? 30_000;
  check(name, 'negativeTtlMs', negativeTtlMs, negativeTtlMs >= 0, '0 (off) or a TTL in ms');
  let local: ResolvedCacheOptions<K, V>['local'] = false;
  if (o.local !== false) {
    const maxEntries = o.local?.maxEntries ?? 10_000;
    check(
      name,
      'local.maxEntries',
      maxEntries,
      Number.isInteger(maxEntries) && maxEntries >= 1,
      'an integer >= 1',
    );
    const localTtl = o.local?.ttlMs ?? Math.min(ttlMs, 60_000);
    check(name, 'local.ttlMs', localTtl, localTtl > 0, 'a TTL > 0 ms');
    local = { maxEntries, ttlMs: localTtl };
  }
  const leaseTtl = o.lease?.ttlMs ?? 10_000;
  check(name, 'lease.ttlMs', leaseTtl, leaseTtl > 0, 'a lease > 0 ms, longer than a typical load');
  const waitMs = o.lease?.waitMs ?? leaseTtl + 1_000;
  check(name, 'lease.waitMs', waitMs, waitMs >= 0, 'a wait >= 0 ms');
  const pollMs = o.lease?.pollMs ?? 25;
  check(name, 'lease.pollMs', pollMs, pollMs > 0, 'a poll interval > 0 ms');
  const doubleDeleteDelayMs = o.doubleDeleteDelayMs ?? 0;
  check(
    name,
    'doubleDeleteDelayMs',
    doubleDeleteDelayMs,
    doubleDeleteDelayMs >= 0,
    '0 (off) or a delay in ms',
  );
  const redisTimeoutMs = o.redisTimeoutMs ?? 1000;
  check(name, 'redisTimeoutMs', redisTimeoutMs, redisTimeoutMs > 0, 'a timeout > 0 ms');
  return {
    name,
    redis: o.redis,
    subscriber: o.subscriber,
    keyPrefix: o.keyPrefix ?? 'silk:cache:',
    ttlMs,
    ttlJitter,
    negativeTtlMs,
    local,
    lease: { ttlMs: leaseTtl, waitMs, pollMs },
    doubleDeleteDelayMs,
    redisTimeoutMs,
    codec: o.codec ?? jsonCodec<V>(),
    keyCodec: o.keyCodec ?? defaultKeyCodec,
    loader: o.loader,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    logger: o.logger ?? consoleLogger,
  };
}

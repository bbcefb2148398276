/**
 * A two-level cache-aside cache: a bounded in-process LRU (L1) in front of Redis (L2).
 *
 * Read:  L1 → (single flight per key) → Redis → lease → loader → Redis → L1.
 * Write: the caller changes the source of truth, then `evict(key)` (or `set`), which drops the
 *        Redis value and any in-flight load's lease, and tells every instance to drop its L1.
 *
 * Guarantee (checked by the consistency test): once writers stop and their evictions are done,
 * no level keeps a value older than the source. Loads racing a write cannot store what they read
 * (the write revoked their lease), and L1 fills racing an invalidation are dropped (stale flight).
 */
import { randomUUID } from 'node:crypto';
import { duplicateClient, publishAnywhere, type RedisClient } from './lua.js';
import type { Component } from '../core/index.js';
import { cachedSystemClock, systemClock, type TimerHandle } from './clock.js';
import { EVICT, PUT, entryKeys, invalidationChannel, type EntryKeys } from './cache-scripts.js';
import {
  resolveCacheOptions,
  type CacheOptions,
  type Loader,
  type ResolvedCacheOptions,
} from './cache-options.js';
import { CacheClosedError, CacheOptionsError } from './errors.js';
import { InvalidationBus } from './invalidation.js';
import { LruCache } from './lru.js';
import { PendingEvictions } from './pending-evictions.js';
import { ReadThrough, encodeValue, valueTtl, type Outcome } from './read-through.js';
import { SingleFlight, type Flight } from './single-flight.js';
import { CacheStats, type CacheStatsSnapshot } from './stats.js';

/** How often evictions Redis did not take are tried again. */
const PENDING_RETRY_MS = 200;
/** An eviction waits for Redis up to this many times `redisTimeoutMs` before it is retried later. */
const EVICT_TIMEOUT_TIMES = 5;

/** What L1 holds: a value, or "known absent" (a negative entry). */
interface LocalEntry<V> {
  value: V | undefined;
}

export class Cache<K, V> implements Component {
  readonly name: string;
  /** This instance's id on the invalidation channel. */
  readonly instanceId = randomUUID();
  readonly #o: ResolvedCacheOptions<K, V>;
  readonly #redis: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #ownsSubscriber: boolean;
  readonly #local: LruCache<string, LocalEntry<V>> | undefined;
  readonly #flights = new SingleFlight<string, Outcome<V>>();
  readonly #stats = new CacheStats();
  readonly #bus: InvalidationBus;
  readonly #readThrough: ReadThrough<K, V>;
  readonly #pending: PendingEvictions;
  readonly #timers = new Set<TimerHandle>();
  #starting: Promise<void> | undefined;
  /** Set once subscribed, so a read skips the (timed) wait for `start`. */
  #started = false;
  #closed = false;

  constructor(options: CacheOptions<K, V>) {
    this.#o = resolveCacheOptions(options);
    this.name = this.#o.name;
    this.#redis = this.#o.redis;
    this.#ownsSubscriber = this.#o.subscriber === undefined;
    this.#subscriber = this.#o.subscriber ?? duplicateClient(this.#redis);
    const local = this.#o.local;
    if (local !== false) {
      const clock = this.#o.clock === systemClock ? cachedSystemClock : this.#o.clock;
      this.#local = new LruCache(local.maxEntries, clock, () => this.#stats.inc('evictions'));
    }
    const channel = invalidationChannel(this.#o.keyPrefix, this.name);
    this.#bus = new InvalidationBus(
      this.#subscriber,
      channel,
      this.instanceId,
      {
        onKeys: (keys) => {
          this.#stats.inc('remoteInvalidations');
          for (const key of keys) this.#dropLocal(key);
        },
        onAll: () => this.#dropAllLocal(),
      },
      this.#o.logger,
      this.#o.clock,
      (channel, message) => publishAnywhere(this.#redis, channel, message),
    );
    this.#pending = new PendingEvictions(
      this.name,
      (text) => this.#readThrough.timed(() => this.#evictInRedis(text)),
      this.#o.clock,
      PENDING_RETRY_MS,
      this.#o.logger,
    );
    this.#readThrough = new ReadThrough(this.#o, this.#stats, (t, v, f) => this.#fillLocal(t, v, f));
  }

  /** Subscribes to the invalidation channel; `get` and writes call it on first use. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new CacheClosedError(`cache "${this.name}"`));
    // A failed subscribe is retried on the next use rather than remembered forever.
    this.#starting ??= this.#bus.start().then(
      () => void (this.#started = true),
      (err: unknown) => {
        this.#starting = undefined;
        throw err;
      },
    );
    return this.#starting;
  }

  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.stop();
    for (const timer of this.#timers) this.#o.clock.clearTimeout(timer);
    this.#timers.clear();
    await this.#bus.stop();
    if (this.#ownsSubscriber) await this.#subscriber.quit().catch(() => undefined);
    this.#local?.clear();
  }

  /**
   * The value for `key`: from L1, Redis, or the loader (whose result is cached; `undefined` means
   * "not found" and is cached for `negativeTtlMs`). Throws SILK_CACHE_LOAD_FAILED if the loader throws.
   */
  async get(key: K, loader: Loader<K, V> | undefined = this.#o.loader): Promise<V | undefined> {
    if (loader === undefined)
      throw new CacheOptionsError(this.name, 'loader', undefined, 'a loader option or argument');
    const text = this.#o.keyCodec(key);
    // Until the invalidation channel is subscribed, neither level can be trusted (a write
    // elsewhere would go unheard), so a Redis that is down from the start means the loader.
    if (!this.#started && !(await this.#readThrough.within(this.start())))
      return (await this.#readThrough.bypass(key, text, loader, 'invalidation channel not subscribed')).value;
    if (this.#pending.has(text))
      return (await this.#readThrough.bypass(key, text, loader, 'an eviction of this key is pending')).value;
    const local = this.#bus.trusted ? this.#local?.get(text) : undefined;
    if (local !== undefined) {
      this.#stats.inc('hitsLocal');
      return local.value;
    }
    const outcome = await this.#flights.run(text, (flight) =>
      this.#readThrough.fetch(key, text, loader, flight),
    );
    this.#stats.inc(outcome.source === 'redis' ? 'hitsRedis' : 'misses');
    return outcome.value;
  }

  /** Drops `key` everywhere (Redis, every instance's L1, any in-flight load's lease). */
  async evict(key: K): Promise<void> {
    await this.evictEncoded(this.#o.keyCodec(key));
  }

  /** `evict` for a key given as its keyCodec text (as invalidation messages carry it). */
  async evictEncoded(text: string): Promise<void> {
    await this.#evictText(text);
    const delay = this.#o.doubleDeleteDelayMs;
    if (delay > 0 && !this.#closed) {
      const timer = this.#o.clock.setTimeout(() => {
        this.#timers.delete(timer);
        this.#evictText(text).catch((error: unknown) =>
          this.#o.logger.error({ cache: this.name, key: text, error }, 'delayed second delete failed'),
        );
      }, delay);
      this.#timers.add(timer);
    }
  }

  /** Write-through: stores `value` for `key` in Redis and drops every L1 copy. Prefer `evict`. */
  async set(key: K, value: V): Promise<void> {
    await this.start();
    const text = this.#o.keyCodec(key);
    const encoded = encodeValue(this.#o, text, value);
    this.#invalidateLocally(text);
    const keys = this.#keys(text);
    await PUT.run(
      this.#redis,
      [keys.value, keys.lease],
      [encoded, valueTtl(this.#o), this.#bus.channel, this.#bus.message([text])],
    ).finally(() => this.#dropAfterWrite(text));
    this.#stats.inc('puts');
  }

  /**
   * Evicts `keys` once `commit` resolves (a transaction commit, a message acknowledged), and
   * passes its result through; a rejected `commit` evicts nothing. The hook for tx/ and rocketmq/.
   */
  async invalidateAfter<T>(commit: Promise<T>, ...keys: K[]): Promise<T> {
    const result = await commit;
    await Promise.all(keys.map((key) => this.evict(key)));
    return result;
  }

  /** Drops this instance's L1 only. */
  clearLocal(): void {
    this.#dropAllLocal();
  }

  /** Entries in this instance's L1 (expired ones count until touched). */
  get localSize(): number {
    return this.#local?.size ?? 0;
  }

  stats(): Readonly<CacheStatsSnapshot> {
    return this.#stats.snapshot();
  }

  /**
   * Drops the key here at once; then in Redis and every L1. If Redis does not take it, the
   * eviction is retried in the background (see pending-evictions.ts) and the invalidation is
   * still published without the script: PUBLISH needs no key slot, so another instance's L1
   * hears it even while the key's cluster node is down.
   */
  async #evictText(text: string): Promise<void> {
    this.#invalidateLocally(text);
    try {
      await this.#evictEverywhere(text);
    } finally {
      this.#dropAfterWrite(text);
    }
  }

  /**
   * Dropping the key before the Redis write is not enough: a read that starts here while the
   * write is on its way can still send its GET first (the write waits a tick for `start`, a
   * cluster client may queue or redirect it) and fill L1 with the old value, which this
   * instance's own echo would not clear. Dropping again once the write has returned clears such
   * a fill, and marks a read still running then stale. (Seen in the cluster test: a writer kept
   * its own old value right after a master was killed.)
   */
  #dropAfterWrite(text: string): void {
    this.#dropLocal(text);
  }

  async #evictEverywhere(text: string): Promise<void> {
    try {
      // Longer than a read's bound: a read gives up and asks the loader, but an eviction that
      // returns while its command still waits in a client queue (a cluster client stalls while
      // it refreshes its slots) would let other instances read the old value after it returned.
      await this.#readThrough.timed(() => this.#evictInRedis(text), EVICT_TIMEOUT_TIMES);
      this.#pending.done(text);
    } catch (error) {
      this.#pending.add(text, error);
      const message = this.#bus.message([text]);
      await this.#readThrough
        .timed(() => publishAnywhere(this.#redis, this.#bus.channel, message))
        .catch((why: unknown) =>
          this.#o.logger.error(
            { cache: this.name, key: text, error: why },
            'invalidation could not be published',
          ),
        );
    }
  }

  async #evictInRedis(text: string): Promise<void> {
    await this.start();
    const keys = this.#keys(text);
    await EVICT.run(this.#redis, [keys.value, keys.lease], [this.#bus.channel, this.#bus.message([text])]);
  }

  #fillLocal(text: string, value: V | undefined, flight: Flight<Outcome<V>>): void {
    if (this.#local === undefined || flight.stale || this.#closed || !this.#bus.trusted) return;
    if (value === undefined && this.#o.negativeTtlMs === 0) return;
    const local = this.#o.local === false ? 0 : this.#o.local.ttlMs;
    const ttl = value === undefined ? Math.min(local, this.#o.negativeTtlMs) : local;
    this.#local.set(text, { value }, ttl);
  }

  #invalidateLocally(text: string): void {
    this.#stats.inc('invalidations');
    this.#dropLocal(text);
  }

  #dropLocal(text: string): void {
    this.#local?.delete(text);
    this.#flights.invalidate(text);
  }

  #dropAllLocal(): void {
    this.#local?.clear();
    this.#flights.invalidateAll();
  }

  #keys(text: string): EntryKeys {
    return entryKeys(this.#o.keyPrefix, this.name, text);
  }
}

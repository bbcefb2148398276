/**
 * The Redis level of a read (L2) with stampede protection: one Lua call reads the value or takes
 * the key's load lease (SET NX PX). The lease holder loads and stores the result only if it still
 * holds the lease (a write meanwhile revoked it); everyone else polls until the value appears or
 * the wait runs out. A value the codec cannot decode is logged, dropped and reloaded.
 */
import { randomUUID } from 'node:crypto';
import { sleep, type TimerHandle } from './clock.js';
import { NEGATIVE_MARKER, safeDecode } from './codec.js';
import {
  DROP_IF_EQUALS,
  READ_OR_LEASE,
  RELEASE_LEASE,
  WRITE_IF_LEASED,
  leaseKey,
  valueKey,
  type EntryKeys,
} from './cache-scripts.js';
import type { Loader, ResolvedCacheOptions } from './cache-options.js';
import { CacheEncodeError, CacheLoadError } from './errors.js';
import type { Flight } from './single-flight.js';
import type { CacheStats } from './stats.js';
import { jitteredTtl } from './ttl.js';

/** Where a value came from: Redis at once, our own load, or Redis after waiting for another's. */
export type Source = 'redis' | 'load' | 'waited';

export interface Outcome<V> {
  value: V | undefined;
  source: Source;
}

/** Stores a loaded or read value in L1 unless the flight went stale (see cache.ts). */
export type FillLocal<V> = (text: string, value: V | undefined, flight: Flight<Outcome<V>>) => void;

export function encodeValue<V>(
  o: Pick<ResolvedCacheOptions<unknown, V>, 'codec' | 'name'>,
  text: string,
  value: V,
): string {
  try {
    return o.codec.encode(value);
  } catch (error) {
    throw new CacheEncodeError(o.name, text, error);
  }
}

export function valueTtl(
  o: Pick<ResolvedCacheOptions<unknown, unknown>, 'ttlMs' | 'ttlJitter' | 'random'>,
): number {
  return jitteredTtl(o.ttlMs, o.ttlJitter, o.random);
}

interface PendingStep {
  /** Sweep intervals this step may still outlive; rejected at the sweep that takes it below 0. */
  sweepsLeft: number;
  reject: (error: Error) => void;
}

/** Sweeps per `redisTimeoutMs`: a step fails between 1 and 1.25 timeouts after it began. */
const SWEEPS_PER_TIMEOUT = 4;

/** What a load inside a read did, so a Redis failure after it does not load a second time. */
interface LoadState<V> {
  done: boolean;
  value?: V | undefined;
}

export class ReadThrough<K, V> {
  readonly #o: ResolvedCacheOptions<K, V>;
  readonly #stats: CacheStats;
  readonly #fill: FillLocal<V>;
  readonly #pending = new Set<PendingStep>();
  #sweep: TimerHandle | undefined;

  constructor(o: ResolvedCacheOptions<K, V>, stats: CacheStats, fill: FillLocal<V>) {
    this.#o = o;
    this.#stats = stats;
    this.#fill = fill;
  }

  /**
   * The read path. Redis is never a hard dependency: when a Redis step fails or outlasts
   * `redisTimeoutMs`, the value comes from the loader (once, even if the failure came after
   * the load) and nothing is cached, neither in Redis nor in L1, whose invalidations travel
   * through the same Redis.
   */
  async fetch(key: K, text: string, loader: Loader<K, V>, flight: Flight<Outcome<V>>): Promise<Outcome<V>> {
    // A hit is one plain GET, as cheap as a raw read, answered in this one frame; only a miss
    // pays for the lease key, the lease wait's clock and the lease script (which looks at the
    // value again, atomically with taking the lease).
    const value = valueKey(this.#o.keyPrefix, this.#o.name, text);
    let peeked: string | null;
    try {
      peeked = await this.#bounded(this.#o.redis.get(value));
    } catch (error) {
      return this.bypass(key, text, loader, error);
    }
    if (peeked !== null && peeked !== NEGATIVE_MARKER) {
      let decoded: V | undefined;
      let readable = true;
      try {
        decoded = this.#o.codec.decode(peeked);
      } catch {
        readable = false; // #fetchCached decodes it again and deals with it (logged, dropped)
      }
      if (readable) {
        this.#fill(text, decoded, flight);
        return { value: decoded, source: 'redis' };
      }
    }
    const loaded: LoadState<V> = { done: false };
    try {
      return await this.#fetchCached(key, text, loader, flight, loaded, value, peeked);
    } catch (error) {
      if (error instanceof CacheLoadError || error instanceof CacheEncodeError) throw error;
      if (loaded.done) {
        this.#noteBypass(text, error);
        return { value: loaded.value, source: 'load' };
      }
      return this.bypass(key, text, loader, error);
    }
  }

  /** Answers from the loader alone, caching nothing: the read path while Redis is away. */
  async bypass(key: K, text: string, loader: Loader<K, V>, why: unknown): Promise<Outcome<V>> {
    this.#noteBypass(text, why);
    return { value: await this.#load(key, text, loader), source: 'load' };
  }

  #noteBypass(text: string, error: unknown): void {
    this.#stats.inc('redisBypasses');
    this.#o.logger.warn(
      { cache: this.#o.name, key: text, error },
      'Redis unavailable; answering from the loader without caching',
    );
  }

  /** Resolves true once `p` settles well within `redisTimeoutMs`, false if it is slower or fails. */
  within(p: Promise<unknown>): Promise<boolean> {
    return this.#redis(() => p).then(
      () => true,
      () => false,
    );
  }

  /** A Redis step bounded by `times` × `redisTimeoutMs`. */
  timed<T>(step: () => Promise<T>, times = 1): Promise<T> {
    return this.#redis(step, times);
  }

  /**
   * Runs one Redis step, failing it after `redisTimeoutMs` (ioredis queues while reconnecting).
   * One sweep timer per cache, every quarter of the timeout, counts down all steps in flight
   * instead of a timer per step; a step fails on the fifth sweep after it began, so between 1
   * and 1.25 × `redisTimeoutMs`. Counting sweeps rather than reading the clock keeps a clock
   * read (~100 ns on a shared VM) off every Redis hit.
   */
  #redis<T>(step: () => Promise<T>, times = 1): Promise<T> {
    try {
      return this.#bounded(step(), times);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** `#redis` for a step already sent (the hit path's GET: no closure to make and call). */
  #bounded<T>(step: Promise<T>, times = 1): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: PendingStep = { sweepsLeft: times * SWEEPS_PER_TIMEOUT, reject };
      this.#pending.add(pending);
      if (this.#sweep === undefined) this.#armSweep();
      step.then(
        (v) => (this.#pending.delete(pending), resolve(v)),
        (e: unknown) => (
          this.#pending.delete(pending),
          reject(e instanceof Error ? e : new Error(String(e)))
        ),
      );
    });
  }

  #armSweep(): void {
    if (this.#sweep !== undefined) return;
    const { clock, redisTimeoutMs } = this.#o;
    const every = Math.max(1, Math.ceil(redisTimeoutMs / SWEEPS_PER_TIMEOUT));
    const armedAt = clock.now();
    this.#sweep = clock.setTimeout(() => {
      this.#sweep = undefined;
      // A sweep that fires late (a busy event loop) counts the intervals that really passed,
      // so lag does not add up over a step's sweeps.
      const passed = Math.max(1, Math.floor((clock.now() - armedAt) / every));
      for (const p of this.#pending) {
        p.sweepsLeft -= passed;
        if (p.sweepsLeft >= 0) continue;
        this.#pending.delete(p);
        p.reject(new Error(`Redis did not answer in time (redisTimeoutMs ${redisTimeoutMs})`));
      }
      if (this.#pending.size > 0) this.#armSweep();
    }, every);
    // A sweep must not keep the process alive on its own.
    if (typeof this.#sweep === 'object' && 'unref' in this.#sweep) this.#sweep.unref();
  }

  async #fetchCached(
    key: K,
    text: string,
    loader: Loader<K, V>,
    flight: Flight<Outcome<V>>,
    loaded: LoadState<V>,
    value: string,
    peeked: string | null,
  ): Promise<Outcome<V>> {
    const { clock, lease, redis } = this.#o;
    const keys: EntryKeys = { value, lease: leaseKey(value) };
    const deadline = clock.now() + lease.waitMs;
    let token: string | undefined;
    let waited = false;
    let first: string | null | undefined = peeked;
    for (;;) {
      let reply: [number, string?] | undefined;
      if (first !== undefined) {
        if (first !== null) reply = [1, first];
        first = undefined;
      }
      if (reply === undefined) {
        const leaseToken = (token ??= randomUUID());
        reply = (await this.#redis(() =>
          READ_OR_LEASE.run(redis, [keys.value, keys.lease], [leaseToken, lease.ttlMs]),
        )) as [number, string?];
        if (reply[0] === 2)
          return {
            value: await this.#loadAndStore(key, text, keys, loader, leaseToken, flight, loaded),
            source: 'load',
          };
      }
      if (reply[0] === 1 && reply[1] !== undefined) {
        const decoded = safeDecode(this.#o.codec, reply[1]);
        if (decoded.kind !== 'corrupt') {
          const value = decoded.kind === 'value' ? decoded.value : undefined;
          this.#fill(text, value, flight);
          return { value, source: waited ? 'waited' : 'redis' };
        }
        // A value we cannot read is a miss: drop it (unless replaced meanwhile) and load afresh.
        this.#stats.inc('corruptValues');
        this.#o.logger.warn(
          { cache: this.#o.name, key: text, codec: this.#o.codec.name, error: decoded.error },
          'cached value cannot be decoded; treating it as a miss',
        );
        const corrupt = reply[1];
        await this.#redis(() => DROP_IF_EQUALS.run(redis, [keys.value], [corrupt]));
        continue;
      }
      if (!waited) this.#stats.inc('leaseWaits');
      waited = true;
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        // The lease holder is too slow or gone silent: answer from the source, store nothing.
        this.#o.logger.warn(
          { cache: this.#o.name, key: text, waitMs: lease.waitMs },
          'load lease wait timed out; loading without caching',
        );
        return { value: await this.#load(key, text, loader, loaded), source: 'load' };
      }
      await sleep(clock, Math.min(lease.pollMs, remaining));
    }
  }

  async #loadAndStore(
    key: K,
    text: string,
    keys: EntryKeys,
    loader: Loader<K, V>,
    token: string,
    flight: Flight<Outcome<V>>,
    loaded: LoadState<V>,
  ): Promise<V | undefined> {
    let encoded: string | undefined;
    let value: V | undefined;
    try {
      value = await this.#load(key, text, loader, loaded);
      encoded =
        value === undefined
          ? this.#o.negativeTtlMs > 0
            ? NEGATIVE_MARKER
            : undefined
          : encodeValue(this.#o, text, value);
    } finally {
      if (encoded === undefined)
        await this.#redis(() => RELEASE_LEASE.run(this.#o.redis, [keys.lease], [token]));
    }
    if (encoded === undefined) return value;
    const ttl = value === undefined ? this.#o.negativeTtlMs : valueTtl(this.#o);
    const stored = await this.#redis(() =>
      WRITE_IF_LEASED.run(this.#o.redis, [keys.value, keys.lease], [token, encoded, ttl]),
    );
    // Not stored = a write revoked our lease while we loaded: what we read may be stale.
    if (stored === 1) {
      this.#stats.inc('puts');
      this.#fill(text, value, flight);
    }
    return value;
  }

  async #load(key: K, text: string, loader: Loader<K, V>, loaded?: LoadState<V>): Promise<V | undefined> {
    const started = this.#o.clock.now();
    try {
      const value = await loader(key);
      if (loaded !== undefined) {
        loaded.value = value;
        loaded.done = true;
      }
      this.#stats.recordLoad(this.#o.clock.now() - started, true);
      return value;
    } catch (error) {
      this.#stats.recordLoad(this.#o.clock.now() - started, false);
      throw new CacheLoadError(this.#o.name, text, error);
    }
  }
}

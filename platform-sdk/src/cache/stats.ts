/**
 * Per-cache counters, in the spirit of Caffeine's CacheStats: cheap increments on the hot path
 * and a plain snapshot for callers; meter-binder.ts reads the same snapshot at scrape time.
 */

export interface CacheStatsSnapshot {
  /** Answered from the in-process LRU. */
  hitsLocal: number;
  /** Answered from Redis without loading (includes negative entries). */
  hitsRedis: number;
  /** Not in any level when asked: answered by a load here or by waiting for another's load. */
  misses: number;
  /** Loader calls made by this instance. */
  loads: number;
  loadFailures: number;
  /** Sum and maximum of loader wall time, ms. */
  loadTimeTotalMs: number;
  loadTimeMaxMs: number;
  /** Values (and "not found" markers) this instance stored in Redis: loads kept, and `set`. */
  puts: number;
  /** Entries dropped from the LRU because it was full. */
  evictions: number;
  /** Keys invalidated by this instance's writes (`evict`, `set`, delayed second deletes). */
  invalidations: number;
  /** Invalidation messages received from other instances. */
  remoteInvalidations: number;
  /** Values in Redis that the codec could not decode (treated as misses). */
  corruptValues: number;
  /** Reads answered by the loader directly because Redis failed or was too slow. */
  redisBypasses: number;
  /** Times a reader waited for another instance's load lease. */
  leaseWaits: number;
}

export type StatName = keyof CacheStatsSnapshot;

export class CacheStats {
  #counters: CacheStatsSnapshot = CacheStats.#zero();

  static #zero(): CacheStatsSnapshot {
    return {
      hitsLocal: 0,
      hitsRedis: 0,
      misses: 0,
      loads: 0,
      loadFailures: 0,
      loadTimeTotalMs: 0,
      loadTimeMaxMs: 0,
      puts: 0,
      evictions: 0,
      invalidations: 0,
      remoteInvalidations: 0,
      corruptValues: 0,
      redisBypasses: 0,
      leaseWaits: 0,
    };
  }

  inc(name: StatName, by = 1): void {
    this.#counters[name] += by;
  }

  recordLoad(ms: number, ok: boolean): void {
    this.#counters.loads += 1;
    if (!ok) this.#counters.loadFailures += 1;
    this.#counters.loadTimeTotalMs += ms;
    if (ms > this.#counters.loadTimeMaxMs) this.#counters.loadTimeMaxMs = ms;
  }

  snapshot(): Readonly<CacheStatsSnapshot> {
    return Object.freeze({ ...this.#counters });
  }

  reset(): void {
    this.#counters = CacheStats.#zero();
  }
}

/**
 * Per-value state of hot-parameter rules (ParameterMetric): for each rule, the token bucket
 * or the last pass time of every parameter value seen, in LRU maps bounded as Java bounds
 * them (4000 values per second of `durationInSec`, at most 200 000); and per resource, the
 * concurrent calls per argument value (at most 4000 values per argument).
 */

export const BASE_PARAM_MAX_CAPACITY = 4000;
export const TOTAL_MAX_CAPACITY = 200_000;
export const THREAD_COUNT_MAX_CAPACITY = 4000;

/** A Map that forgets its least recently used key past `capacity`. */
export class LruMap<K, V> {
  readonly #capacity: number;
  readonly #map = new Map<K, V>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#capacity) this.#map.delete(this.#map.keys().next().value as K);
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}

/** TokenUpdateStatus: when tokens were last added, and how many are left. */
export interface TokenStatus {
  lastAddTokenTime: number;
  restQps: number;
}

/** The mutable state of one hot-parameter rule. */
export class ParamRuleMetric {
  readonly tokenCounters: LruMap<unknown, TokenStatus>;
  readonly timeCounters: LruMap<unknown, { lastPassTime: number }>;

  constructor(durationInSec: number) {
    const size = Math.min(BASE_PARAM_MAX_CAPACITY * durationInSec, TOTAL_MAX_CAPACITY);
    this.tokenCounters = new LruMap(size);
    this.timeCounters = new LruMap(size);
  }
}

/** Concurrent calls per argument index and value, for THREAD-grade rules. */
export class ParamThreadCounts {
  readonly #byIndex = new Map<number, LruMap<unknown, { count: number }>>();

  get(index: number, value: unknown): number {
    return this.#byIndex.get(index)?.get(value)?.count ?? 0;
  }

  add(index: number, value: unknown, delta: number): void {
    let counts = this.#byIndex.get(index);
    if (counts === undefined) {
      counts = new LruMap(THREAD_COUNT_MAX_CAPACITY);
      this.#byIndex.set(index, counts);
    }
    const c = counts.get(value);
    if (c === undefined) {
      if (delta > 0) counts.set(value, { count: delta });
      return;
    }
    c.count += delta;
    if (c.count <= 0) counts.delete(value);
  }
}

/**
 * The key a parameter value is counted under: a ParamFlowArgument's `paramFlowKey()`, a bigint
 * within the safe range as a number (so a Java long decoded as bigint matches an integer item),
 * else the value itself.
 */
export function paramKey(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ParamFlowArgument).paramFlowKey === 'function'
  ) {
    return (value as ParamFlowArgument).paramFlowKey();
  }
  return value;
}

/** An argument that names its own hot-parameter key (Java: ParamFlowArgument). */
export interface ParamFlowArgument {
  paramFlowKey(): unknown;
}

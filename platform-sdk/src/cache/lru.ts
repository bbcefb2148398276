/**
 * The bounded in-process level (L1): least recently used out first, plus a per-entry expiry so
 * a lost invalidation message can keep a stale value only for a bounded time.
 *
 * A JS Map iterates in insertion order, so "touch" = delete + set, and the first key is the
 * least recently used: O(1) for get, set and eviction without a linked list of our own.
 */
import type { Clock } from './clock.js';

interface Slot<V> {
  value: V;
  expiresAt: number;
}

export class LruCache<K, V> {
  readonly #max: number;
  readonly #clock: Clock;
  readonly #map = new Map<K, Slot<V>>();
  readonly #onEvict: (key: K) => void;

  /** `onEvict` is called for capacity evictions only (not for expiry or explicit delete). */
  constructor(max: number, clock: Clock, onEvict: (key: K) => void = () => {}) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`LRU capacity must be an integer >= 1, got ${max}`);
    this.#max = max;
    this.#clock = clock;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The live value, or undefined when absent or expired (an expired entry is dropped). */
  get(key: K): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= this.#clock.now()) {
      this.#map.delete(key);
      return undefined;
    }
    this.#map.delete(key);
    this.#map.set(key, slot);
    return slot.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V, ttlMs: number): void {
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt: this.#clock.now() + ttlMs });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) break;
      this.#map.delete(oldest.value);
      this.#onEvict(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** Keys from least to most recently used; for tests and diagnostics. */
  keys(): K[] {
    return [...this.#map.keys()];
  }
}

/**
 * The bounded in-process level (L1): least recently used out first, approximated by the CLOCK
 * (second chance) policy, plus a per-entry expiry so a lost invalidation message can keep a
 * stale value only for a bounded time.
 *
 * A hit only flags its slot as referenced: moving it to the young end of a JS Map (delete +
 * set) costs microseconds under churn, far more than the rest of a hit. Eviction walks from
 * the old end; a referenced slot loses its flag and moves to the young end (its second
 * chance), the first unreferenced one goes.
 */
import type { Clock } from './clock.js';

interface Slot<V> {
  value: V;
  expiresAt: number;
  referenced: boolean;
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
    slot.referenced = true;
    return slot.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V, ttlMs: number): void {
    // Make room first, so the new entry is not the one the second-chance walk reaches first.
    if (!this.#map.delete(key)) while (this.#map.size >= this.#max) this.#evictOne();
    this.#map.set(key, { value, expiresAt: this.#clock.now() + ttlMs, referenced: false });
  }

  #evictOne(): void {
    // Ends: every slot moved to the young end has lost its flag, so a full lap finds a victim.
    for (const [key, slot] of this.#map) {
      if (slot.referenced) {
        slot.referenced = false;
        this.#map.delete(key);
        this.#map.set(key, slot);
        continue;
      }
      this.#map.delete(key);
      this.#onEvict(key);
      return;
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** Keys from the old end to the young end (eviction order, hits aside); for tests and diagnostics. */
  keys(): K[] {
    return [...this.#map.keys()];
  }
}

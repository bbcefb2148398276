/**
 * In-process single-flight (Go's singleflight, Caffeine's per-key loading): concurrent callers
 * for one key share one in-flight promise, so a process issues one Redis read and at most one
 * load per key at a time.
 *
 * Each flight carries a `stale` flag that invalidation can raise while the flight is running:
 * its result is still handed to the callers that joined it (they asked before the write
 * finished), but the cache must not store it in L1 (see cache.ts).
 */

export interface Flight<T> {
  readonly promise: Promise<T>;
  /** Raised by `invalidate` while the flight runs. */
  stale: boolean;
}

export class SingleFlight<K, T> {
  readonly #flights = new Map<K, Flight<T>>();

  /** Joins the flight for `key`, or starts one running `fn(flight)`. */
  run(key: K, fn: (flight: Flight<T>) => Promise<T>): Promise<T> {
    const existing = this.#flights.get(key);
    if (existing !== undefined) return existing.promise;
    // fn starts a microtask later, after the flight is registered: even a synchronous throw in
    // fn cannot leave a flight behind in the map.
    const promise = Promise.resolve()
      .then(() => fn(flight))
      .finally(() => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      });
    const flight: Flight<T> = { promise, stale: false };
    this.#flights.set(key, flight);
    return flight.promise;
  }

  /** Marks the running flight for `key` (if any) stale; returns whether there was one. */
  invalidate(key: K): boolean {
    const flight = this.#flights.get(key);
    if (flight === undefined) return false;
    flight.stale = true;
    return true;
  }

  /** Marks every running flight stale (e.g. the invalidation channel reconnected). */
  invalidateAll(): void {
    for (const flight of this.#flights.values()) flight.stale = true;
  }

  get size(): number {
    return this.#flights.size;
  }
}

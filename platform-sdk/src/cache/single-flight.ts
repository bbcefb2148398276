/**
 * In-process single-flight (Go's singleflight, Caffeine's per-key loading): concurrent callers
 * for one key share one in-flight promise, so a process issues one Redis read and at most one
 * load per key at a time.
 *
 * Each flight carries a `stale` flag that invalidation can raise while the flight is running:
 * its result is still handed to the callers that joined it (they asked before the write
 * finished), but the cache must not store it in L1 (see cache.ts). A caller that arrives after
 * the invalidation does not join it: the flight may have read the source before the write, and
 * a slow Redis step (a cluster client stalled by a failover) can keep it running for the whole
 * Redis timeout; that caller starts a flight of its own.
 */

export interface Flight<T> {
  readonly promise: Promise<T>;
  /** Raised by `invalidate` while the flight runs. */
  stale: boolean;
}

/** A flight as the map holds it: its promise is set once fn has started (see `run`). */
interface RunningFlight<T> {
  promise: Promise<T> | undefined;
  stale: boolean;
}

export class SingleFlight<K, T> {
  readonly #flights = new Map<K, RunningFlight<T>>();

  /** Joins the flight for `key` unless it went stale, or starts one running `fn(flight)`. */
  run(key: K, fn: (flight: Flight<T>) => Promise<T>): Promise<T> {
    const existing = this.#flights.get(key);
    if (existing !== undefined && !existing.stale)
      // No promise yet means fn itself asked for this key while starting: it joins a tick later.
      return existing.promise ?? Promise.resolve().then(() => existing.promise!);
    const flight: RunningFlight<T> = { promise: undefined, stale: false };
    this.#flights.set(key, flight);
    flight.promise = this.#fly(key, flight, fn);
    return flight.promise;
  }

  // One async frame instead of a then/finally chain, and fn started at once rather than a
  // microtask later: a cache read goes through here on every Redis hit, and each promise hop
  // was a measurable share of that path's overhead (a `.then` branch for the cleanup measured
  // slower still). A synchronous throw in fn still reaches the finally: no flight is left.
  async #fly(key: K, flight: RunningFlight<T>, fn: (flight: Flight<T>) => Promise<T>): Promise<T> {
    try {
      return await fn(flight as Flight<T>);
    } finally {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    }
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

/**
 * Time and randomness as ports, so TTLs, jitter, lease polling and the lock watchdog can be
 * driven by a fake clock in unit tests instead of by the wall clock.
 */

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  /** Milliseconds since the epoch (or any monotonic origin: only differences are used). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// Reads the globals at call time (not at import time), so vitest's fake timers, installed
// after this module loads, still take effect.
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/**
 * `systemClock` whose `now()` is a field read: while it is read, an unref'd 1 ms interval
 * refreshes the field; after a second without reads the interval stops and the next read
 * calls `Date.now()` and restarts it. For the in-process level's expiry check, which runs on
 * every hit: `Date.now()` is a clock read of ~100 ns on a shared VM, half the hit's budget.
 */
class CachedSystemClock implements Clock {
  #now = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #read = false;
  #idle = 0;

  now(): number {
    if (this.#timer !== undefined) {
      this.#read = true;
      return this.#now;
    }
    this.#now = Date.now();
    this.#timer = setInterval(() => this.#tick(), 1);
    this.#timer.unref();
    return this.#now;
  }

  #tick(): void {
    this.#now = Date.now();
    if (this.#read) {
      this.#read = false;
      this.#idle = 0;
    } else if (++this.#idle >= 1000) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#idle = 0;
    }
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return setTimeout(fn, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle);
  }
}

export const cachedSystemClock: Clock = new CachedSystemClock();

/** Resolves after `ms` on the given clock; a timer that never holds the process open. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(resolve, Math.max(0, ms));
    if (typeof handle === 'object' && 'unref' in handle) handle.unref();
  });
}

/** A source of uniform numbers in [0, 1); `Math.random` unless a test pins it. */
export type RandomSource = () => number;

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

/** Resolves after `ms` on the given clock; a timer that never holds the process open. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(resolve, Math.max(0, ms));
    if (typeof handle === 'object' && 'unref' in handle) handle.unref();
  });
}

/** A source of uniform numbers in [0, 1); `Math.random` unless a test pins it. */
export type RandomSource = () => number;

/**
 * Time for the engine. Every window, controller and breaker reads time from an injected
 * `SentinelClock`, never from `Date.now()`: tests drive a `ManualClock`, production uses a
 * `CachedMillisClock` that reads the wall clock once per millisecond on a timer, as Sentinel's
 * TimeUtil does, so an entry costs a field read instead of a system call.
 */

export interface SentinelClock {
  /** Milliseconds since the epoch; only differences and whole-second alignment matter. */
  now(): number;
  /** Resolves after `ms` (used to make a queued request wait; never holds the process open). */
  sleep(ms: number): Promise<void>;
}

function timerSleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, Math.ceil(ms))).unref();
  });
}

/**
 * The wall clock, cached. A 1 ms unref'd interval refreshes the cached value; `now()` also
 * refreshes it when the interval has not been started (e.g. after `stop()`), so time never
 * freezes silently.
 */
export class CachedMillisClock implements SentinelClock {
  #now = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(start = true) {
    if (start) this.start();
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#now = Date.now();
    this.#timer = setInterval(() => {
      this.#now = Date.now();
    }, 1);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  now(): number {
    return this.#timer === undefined ? (this.#now = Date.now()) : this.#now;
  }

  sleep(ms: number): Promise<void> {
    return timerSleep(ms);
  }
}

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** A clock that moves only when told to: for tests of windows, warm-up, queueing and breakers. */
export class ManualClock implements SentinelClock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(ms: number): void {
    this.#now = ms;
    this.#wake();
  }

  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepers.push({ at: this.#now + ms, resolve });
      this.#wake();
    });
  }

  #wake(): void {
    const due = this.#sleepers.filter((s) => s.at <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
    for (const s of due) s.resolve();
  }
}

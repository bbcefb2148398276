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

/** Ticks without a single read before the cached clock parks its timer (Java's TimeUtil idles too). */
export const IDLE_TICKS = 1000;

/**
 * The wall clock, cached. While it is read, a 1 ms unref'd interval refreshes the cached
 * value; after IDLE_TICKS ticks without a read the interval parks, and the next `now()` reads
 * `Date.now()` once and restarts it — an idle service does not wake up 1000 times a second.
 * Within one synchronous stretch of code the cached time does not move (the timer cannot
 * fire): an rt is measured per event-loop turn, so work that blocks the loop between entry and
 * exit reads as 0 ms. Handlers that await I/O are measured to the millisecond; for CPU-bound
 * synchronous resources pass `new WallClock()` instead and pay a `Date.now()` per read.
 */
export class CachedMillisClock implements SentinelClock {
  #now = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #read = false;
  #idleTicks = 0;
  #closed = false;

  now(): number {
    if (this.#timer === undefined) {
      this.#now = Date.now();
      if (!this.#closed) this.#start();
      return this.#now;
    }
    this.#read = true;
    return this.#now;
  }

  /** Stops the timer for good; `now()` then reads `Date.now()` on every call. */
  close(): void {
    this.#closed = true;
    this.#park();
  }

  #start(): void {
    this.#read = false;
    this.#idleTicks = 0;
    this.#timer = setInterval(() => this.#tick(), 1);
    this.#timer.unref();
  }

  #tick(): void {
    this.#now = Date.now();
    if (this.#read) {
      this.#read = false;
      this.#idleTicks = 0;
    } else if (++this.#idleTicks >= IDLE_TICKS) {
      this.#park();
    }
  }

  #park(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  sleep(ms: number): Promise<void> {
    return timerSleep(ms);
  }
}

/** The wall clock read on every call: exact, at the price of a `Date.now()` per read. */
export class WallClock implements SentinelClock {
  now(): number {
    return Date.now();
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

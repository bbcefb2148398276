/**
 * A manual clock for unit tests: time moves only when the test says so, and timers fire in due
 * order as it does. Not exported from index.ts.
 */
import type { Clock, TimerHandle } from './clock.js';

interface Pending {
  at: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, Pending>();

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time, then lets promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].fn();
      await flush();
    }
    this.#now = end;
    await flush();
  }
}

/** Lets queued microtasks (and their follow-ups) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * Keeps a received message hidden from the group's other consumers while this one still holds
 * it: before its invisible duration runs out, the duration is extended (ChangeInvisibleDuration),
 * again and again until the handler is done. Without it a handler slower than the duration sees
 * its message handed to another consumer mid-way, and both apply it.
 *
 * The lease starts at receive, not at handler start: a FIFO message waiting behind its group's
 * earlier messages ages too. `end()` stops renewing and waits for a renewal in flight, because
 * a renewal replaces the receipt handle and the ack must carry the newest one.
 */

export interface LeaseTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: LeaseTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Renew once two thirds of the duration have passed, leaving a third for the call itself. */
export function renewalPeriodMs(invisibleDurationMs: number): number {
  return Math.floor((invisibleDurationMs * 2) / 3);
}

export class InvisibilityLease {
  private timer: unknown;
  private renewing: Promise<void> | undefined;
  private ended = false;
  renewals = 0;

  constructor(
    private readonly renew: () => Promise<void>,
    private readonly periodMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly timers: LeaseTimers = realTimers,
  ) {
    this.schedule();
  }

  async end(): Promise<void> {
    this.ended = true;
    this.timers.clearTimeout(this.timer);
    await this.renewing;
  }

  private schedule(): void {
    this.timer = this.timers.setTimeout(() => {
      if (this.ended) return;
      // After a failed renewal the handle is likely stale; the message will be redelivered.
      let failed = false;
      this.renewing = this.renew().then(
        () => {
          this.renewals++;
        },
        (err: unknown) => {
          failed = true;
          this.onError(err);
        },
      );
      void this.renewing.then(() => {
        this.renewing = undefined;
        if (!this.ended && !failed) this.schedule();
      });
    }, this.periodMs);
  }
}

/**
 * The lock watchdog (Redisson's LockRenewalScheduler / LockTask): while a lock taken without an
 * explicit leaseTime is held, one timer per client renews every such lock's lease to
 * `lockWatchdogTimeout` every `lockWatchdogTimeout / 3`, in batches. If the process dies, the
 * renewals stop and the lock expires on its own within one lease.
 *
 * A renewal that finds the lock no longer ours (expired meanwhile, force-unlocked) stops renewing
 * it and reports it as lost.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { CacheLogger } from './logger.js';

export interface WatchedLock {
  name: string;
  field: string;
}

/** Renews the given locks; one boolean per lock: still ours. */
export type RenewFn = (locks: readonly WatchedLock[]) => Promise<boolean[]>;

const BATCH_SIZE = 100; // Redisson's default lockWatchdogBatchSize

export class Watchdog {
  readonly #renew: RenewFn;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #logger: CacheLogger;
  readonly #onLost: (lock: WatchedLock) => void;
  readonly #locks = new Map<string, WatchedLock>();
  #timer: TimerHandle | undefined;

  constructor(
    renew: RenewFn,
    leaseMs: number,
    clock: Clock,
    logger: CacheLogger,
    onLost: (lock: WatchedLock) => void = () => {},
  ) {
    this.#renew = renew;
    this.#intervalMs = Math.max(1, Math.floor(leaseMs / 3));
    this.#clock = clock;
    this.#logger = logger;
    this.#onLost = onLost;
  }

  get size(): number {
    return this.#locks.size;
  }

  watch(lock: WatchedLock): void {
    this.#locks.set(Watchdog.#id(lock), lock);
    this.#schedule();
  }

  unwatch(lock: WatchedLock): void {
    this.#locks.delete(Watchdog.#id(lock));
    if (this.#locks.size === 0) this.#cancel();
  }

  isWatching(lock: WatchedLock): boolean {
    return this.#locks.has(Watchdog.#id(lock));
  }

  stop(): void {
    this.#locks.clear();
    this.#cancel();
  }

  /** One renewal round now; the timer calls it, tests may too. */
  async tick(): Promise<void> {
    const locks = [...this.#locks.values()];
    for (let i = 0; i < locks.length; i += BATCH_SIZE) {
      const batch = locks.slice(i, i + BATCH_SIZE);
      const alive = await this.#renew(batch);
      batch.forEach((lock, j) => {
        if (alive[j] === true) return;
        // Only report it if nobody unwatched it while the renewal was in flight.
        if (!this.#locks.delete(Watchdog.#id(lock))) return;
        this.#logger.warn(
          { lock: lock.name, field: lock.field },
          'lock lease lost: it is no longer held by this owner',
        );
        this.#onLost(lock);
      });
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.tick()
        .catch((error: unknown) =>
          this.#logger.error(
            { error, locks: this.#locks.size },
            "can't renew lock leases; retrying next round",
          ),
        )
        .finally(() => {
          if (this.#locks.size > 0) this.#schedule();
        });
    }, this.#intervalMs);
    // A held lock must not keep the process alive on its own.
    if (typeof this.#timer === 'object' && 'unref' in this.#timer) this.#timer.unref();
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  static #id(lock: WatchedLock): string {
    return `${lock.name}\u0000${lock.field}`;
  }
}

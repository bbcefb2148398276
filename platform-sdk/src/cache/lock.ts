/**
 * RLock: a re-entrant distributed lock that is one and the same lock as Redisson's RLock of the
 * same name (layout and scripts in lock-scripts.ts).
 *
 * - `leaseTime` given: the lock expires after it unless unlocked; no watchdog.
 * - no `leaseTime`: the lease is lockWatchdogTimeout (30 s) and the watchdog renews it every
 *   lockWatchdogTimeout / 3 while held.
 * - waiting: subscribe to the unlock channel first, then retry on each release message or when
 *   the holder's lease should have run out (its PTTL), never by spinning.
 * - only the owner (client id + thread id) can unlock; others get SILK_LOCK_NOT_OWNER.
 */
import { LockAbortedError, LockNotOwnerError, LockTimeoutError } from './errors.js';
import type { LockClient } from './lock-client.js';
import {
  FORCE_UNLOCK,
  TRY_LOCK,
  UNLOCK,
  UNLOCK_MESSAGE,
  fencingKeyName,
  lockChannelName,
  lockField,
} from './lock-scripts.js';

export interface LockOptions {
  /** Lease in ms; omit to have the watchdog keep the lock while held. */
  leaseTime?: number;
  /** How long to wait for the lock, ms. `tryLock` defaults to 0; `lock` waits forever if omitted. */
  waitTime?: number;
  /** Re-enter as this logical thread (from a handle); a fresh one by default. */
  threadId?: number;
  /** Also return a fencing token: a per-lock counter bumped on each fresh acquisition. */
  fenced?: boolean;
  signal?: AbortSignal;
}

export interface LockHandle {
  readonly name: string;
  readonly threadId: number;
  /** Re-entry count after this acquisition. */
  readonly holdCount: number;
  /** Set when acquired with `fenced: true`: pass it to the resource so it rejects older holders. */
  readonly fencingToken: number | undefined;
  unlock(): Promise<void>;
}

// When the holder's lock has no TTL (PTTL -1), re-check at this pace in case a message is lost.
const NO_TTL_RECHECK_MS = 1_000;

type Attempt = { acquired: true; holdCount: number; token: number } | { acquired: false; ttl: number };

export class RLock {
  readonly name: string;
  readonly #client: LockClient;

  constructor(client: LockClient, name: string) {
    this.#client = client;
    this.name = name;
  }

  /** Acquires, waiting at most `waitTime` (default: no wait); undefined when not acquired. */
  async tryLock(options: LockOptions = {}): Promise<LockHandle | undefined> {
    return this.#acquire({ ...options, waitTime: options.waitTime ?? 0 });
  }

  /** Acquires, waiting up to `waitTime` (forever if omitted); throws SILK_LOCK_TIMEOUT if not. */
  async lock(options: LockOptions = {}): Promise<LockHandle> {
    const handle = await this.#acquire(options);
    if (handle === undefined) throw new LockTimeoutError(this.name, options.waitTime ?? Infinity);
    return handle;
  }

  /** Runs `fn` holding the lock and releases it after, whatever `fn` does. */
  async withLock<T>(fn: (handle: LockHandle) => Promise<T>, options: LockOptions = {}): Promise<T> {
    const handle = await this.lock(options);
    try {
      return await fn(handle);
    } finally {
      await handle.unlock();
    }
  }

  /** Releases one hold of `threadId`; throws SILK_LOCK_NOT_OWNER if it holds none. */
  async unlock(threadId: number): Promise<void> {
    const field = lockField(this.#client.id, threadId);
    const key = this.#leaseKey(field);
    const lease = this.#client.leases.get(key) ?? this.#client.lockWatchdogTimeout;
    const result = await UNLOCK.run(
      this.#client.redis,
      [this.name, lockChannelName(this.name)],
      [UNLOCK_MESSAGE, lease, field],
    );
    if (result === -1) {
      this.#forget(field);
      throw new LockNotOwnerError(this.name, `client ${this.#client.id} thread ${threadId}`);
    }
    if (result === 1) this.#forget(field);
  }

  /** Deletes the lock whoever holds it (Redisson's forceUnlock); true if it was held. */
  async forceUnlock(): Promise<boolean> {
    const result = await FORCE_UNLOCK.run(
      this.#client.redis,
      [this.name, lockChannelName(this.name)],
      [UNLOCK_MESSAGE],
    );
    return result === 1;
  }

  async isLocked(): Promise<boolean> {
    return (await this.#client.redis.exists(this.name)) === 1;
  }

  async isHeldByThread(threadId: number): Promise<boolean> {
    return (await this.#client.redis.hexists(this.name, lockField(this.#client.id, threadId))) === 1;
  }

  async getHoldCount(threadId: number): Promise<number> {
    const count = await this.#client.redis.hget(this.name, lockField(this.#client.id, threadId));
    return count === null ? 0 : Number(count);
  }

  /** Remaining lease in ms; -2 when not locked (Redis PTTL semantics). */
  remainTimeToLive(): Promise<number> {
    return this.#client.redis.pttl(this.name);
  }

  async #acquire(options: LockOptions): Promise<LockHandle | undefined> {
    const { clock } = this.#client;
    const threadId = options.threadId ?? this.#client.newThreadId();
    const waitTime = options.waitTime ?? Infinity;
    const deadline = clock.now() + waitTime;
    let attempt = await this.#tryOnce(threadId, options);
    if (attempt.acquired) return this.#handle(threadId, attempt);
    if (waitTime <= 0) return undefined;
    // Subscribe before the next attempt, so a release between the two is not missed.
    const waiter = await this.#client.pubSub.subscribe(lockChannelName(this.name));
    try {
      for (;;) {
        if (options.signal?.aborted === true) throw new LockAbortedError(this.name, options.signal.reason);
        attempt = await this.#tryOnce(threadId, options);
        if (attempt.acquired) return this.#handle(threadId, attempt);
        const remaining = deadline - clock.now();
        if (remaining <= 0) return undefined;
        const ttl = attempt.ttl >= 0 ? attempt.ttl : NO_TTL_RECHECK_MS;
        await waiter.wait(Math.min(ttl, remaining), options.signal);
      }
    } finally {
      await waiter.release();
    }
  }

  async #tryOnce(threadId: number, options: LockOptions): Promise<Attempt> {
    const field = lockField(this.#client.id, threadId);
    const lease = options.leaseTime ?? this.#client.lockWatchdogTimeout;
    const reply = (await TRY_LOCK.run(
      this.#client.redis,
      [this.name, fencingKeyName(this.name)],
      [lease, field, options.fenced === true ? '1' : '0'],
    )) as [number, number, number?];
    if (reply[0] !== 1) return { acquired: false, ttl: reply[1] };
    this.#client.leases.set(this.#leaseKey(field), lease);
    const watched = { name: this.name, field };
    if (options.leaseTime === undefined) this.#client.watchdog.watch(watched);
    else this.#client.watchdog.unwatch(watched);
    return { acquired: true, holdCount: reply[1], token: reply[2] ?? 0 };
  }

  #handle(threadId: number, attempt: Extract<Attempt, { acquired: true }>): LockHandle {
    return {
      name: this.name,
      threadId,
      holdCount: attempt.holdCount,
      fencingToken: attempt.token > 0 ? attempt.token : undefined,
      unlock: () => this.unlock(threadId),
    };
  }

  #forget(field: string): void {
    this.#client.leases.delete(this.#leaseKey(field));
    this.#client.watchdog.unwatch({ name: this.name, field });
  }

  #leaseKey(field: string): string {
    return `${this.name}\u0000${field}`;
  }
}

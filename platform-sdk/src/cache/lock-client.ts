/**
 * The lock side's equivalent of a RedissonClient: one client id (a UUID, like Redisson's
 * ServiceManager id), one pub/sub connection for unlock messages, one watchdog for every lock it
 * holds without an explicit lease. Get locks from it with `getLock(name)`.
 *
 * Node has no threads; Redisson's threadId becomes a *logical* thread id the client hands out.
 * Each `lock()`/`tryLock()` without a threadId runs as a fresh logical thread (so two tasks in one
 * process exclude each other); pass a handle's `threadId` to re-enter.
 */
import { randomUUID } from 'node:crypto';
import { duplicateClient, type RedisClient } from './lua.js';
import type { Component } from '../core/index.js';
import { systemClock, type Clock } from './clock.js';
import { CacheOptionsError } from './errors.js';
import { LockPubSub } from './lock-pubsub.js';
import { RENEW } from './lock-scripts.js';
import { consoleLogger, type CacheLogger } from './logger.js';
import { RLock } from './lock.js';
import { Watchdog, type WatchedLock } from './watchdog.js';

export interface LockClientOptions {
  redis: RedisClient;
  /** Connection for unlock messages; by default `redis.duplicate()`, owned by the client. */
  subscriber?: RedisClient;
  /** Redisson's Config.lockWatchdogTimeout: lease of locks taken without leaseTime (30 s). */
  lockWatchdogTimeout?: number;
  /** Defaults to a random UUID, as Redisson's. */
  id?: string;
  clock?: Clock;
  logger?: CacheLogger;
}

export class LockClient implements Component {
  readonly name = 'lock-client';
  readonly id: string;
  readonly redis: RedisClient;
  readonly lockWatchdogTimeout: number;
  readonly clock: Clock;
  readonly logger: CacheLogger;
  readonly pubSub: LockPubSub;
  readonly watchdog: Watchdog;
  /** Lease in force per held (name, field): used to re-arm the lease on a nested unlock. */
  readonly leases = new Map<string, number>();
  readonly #subscriber: RedisClient;
  readonly #ownsSubscriber: boolean;
  #nextThreadId = 1;

  constructor(options: LockClientOptions) {
    this.id = options.id ?? randomUUID();
    this.redis = options.redis;
    this.lockWatchdogTimeout = options.lockWatchdogTimeout ?? 30_000;
    if (!Number.isFinite(this.lockWatchdogTimeout) || this.lockWatchdogTimeout < 3) {
      throw new CacheOptionsError(
        'lock-client',
        'lockWatchdogTimeout',
        this.lockWatchdogTimeout,
        'a lease >= 3 ms',
      );
    }
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? consoleLogger;
    this.#ownsSubscriber = options.subscriber === undefined;
    this.#subscriber = options.subscriber ?? duplicateClient(this.redis);
    this.pubSub = new LockPubSub(this.#subscriber, this.clock);
    this.watchdog = new Watchdog(
      (locks) => this.#renew(locks),
      this.lockWatchdogTimeout,
      this.clock,
      this.logger,
      (lock) => this.leases.delete(`${lock.name}\u0000${lock.field}`),
    );
  }

  getLock(name: string): RLock {
    if (typeof name !== 'string' || name === '')
      throw new CacheOptionsError('lock-client', 'name', name, 'a non-empty lock name');
    return new RLock(this, name);
  }

  /** A fresh logical thread id (positive, like a Java thread id). */
  newThreadId(): number {
    return this.#nextThreadId++;
  }

  start(): void {}

  /** Stops renewing (held locks then expire within one lease) and closes the pub/sub connection. */
  async stop(): Promise<void> {
    this.watchdog.stop();
    await this.pubSub.close();
    if (this.#ownsSubscriber) await this.#subscriber.quit().catch(() => undefined);
  }

  async #renew(locks: readonly WatchedLock[]): Promise<boolean[]> {
    // One script may only touch keys of one hash slot in a cluster: there, renew lock by lock.
    if (this.redis.isCluster) return (await Promise.all(locks.map((l) => this.#renewBatch([l])))).flat();
    return this.#renewBatch(locks);
  }

  async #renewBatch(locks: readonly WatchedLock[]): Promise<boolean[]> {
    const reply = (await RENEW.run(
      this.redis,
      locks.map((l) => l.name),
      [this.lockWatchdogTimeout, ...locks.map((l) => l.field)],
    )) as number[];
    return locks.map((_, i) => reply[i] === 1);
  }
}

/**
 * Snowflake worker ids leased through Redis, so no two live generators share one: a key per
 * worker id (`<prefix>:worker:<id>`) set NX with a TTL and the holder's token, renewed every
 * third of the TTL by a script that extends it only while the token still matches.
 *
 * The holder trusts its lease only until (time the last successful renewal was SENT) + TTL −
 * a safety margin, on its own monotonic clock. Redis cannot expire the key before that, so the
 * next holder can only get the id after this one has stopped issuing. A renewal that finds
 * another token drops the lease at once; a renewal that cannot reach Redis lets the lease run
 * out at that deadline. Either way `current()` turns undefined and ids are refused, then a
 * new lease (maybe another id) is sought.
 *
 * `<prefix>:last:<id>` remembers the latest wall-clock ms a holder may have issued with the
 * id (each renewal raises it to the lease deadline; a clean release lowers nothing, it records
 * the actual last use): the next holder starts after it, which keeps ids unique even when two
 * machines' clocks disagree.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Component } from '../core/index.js';
import { WorkerIdUnavailableError } from './errors.js';
import { MAX_WORKER_ID, type WorkerIdGrant, type WorkerIdSource } from './snowflake.js';

// KEYS[1] worker key, KEYS[2] last key; ARGV[1] token, ARGV[2] ttl ms, ARGV[3] last-use ms.
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[3]) > last then redis.call('SET', KEYS[2], ARGV[3]) end
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[3]) > last then redis.call('SET', KEYS[2], ARGV[3]) end
redis.call('DEL', KEYS[1])
return 1`;

export interface WorkerIdLeaseOptions {
  redis: Redis;
  /** Key prefix shared by every generator of one id space; default `silk:snowflake`. */
  namespace?: string;
  /** Lease TTL; default 30 s. Renewed every ttl/3. */
  ttlMs?: number;
  /** Stop trusting the lease this long before it could expire in Redis; default ttl/10. */
  safetyMarginMs?: number;
  /** Highest worker id to use (inclusive); default 1023. */
  maxWorkerId?: number;
  /** Told when a lease is taken or lost. */
  onChange?: (event: { type: 'acquired' | 'lost' | 'released'; workerId: number; reason?: string }) => void;
  monotonicNow?: () => number;
  now?: () => number;
}

interface Held {
  workerId: number;
  token: string;
  notBefore: number;
  /** Monotonic ms after which the lease is no longer trusted. */
  validUntil: number;
}

export class WorkerIdLease implements WorkerIdSource, Component {
  readonly name = 'snowflake-worker-id';
  readonly #o: Required<Omit<WorkerIdLeaseOptions, 'onChange'>> & Pick<WorkerIdLeaseOptions, 'onChange'>;
  #held: Held | undefined;
  #timer: NodeJS.Timeout | undefined;
  #renewing = false;

  constructor(options: WorkerIdLeaseOptions) {
    const ttlMs = options.ttlMs ?? 30_000;
    this.#o = {
      namespace: 'silk:snowflake',
      safetyMarginMs: Math.ceil(ttlMs / 10),
      maxWorkerId: MAX_WORKER_ID,
      monotonicNow: () => performance.now(),
      now: Date.now,
      ...options,
      ttlMs,
    };
  }

  /** Takes a free worker id (throws when none is free), then keeps it renewed. */
  async start(): Promise<void> {
    await this.acquire();
    this.#timer = setInterval(() => void this.#tick(), Math.max(10, Math.floor(this.#o.ttlMs / 3)));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    this.#held = undefined;
    if (!held) return;
    await this.#o.redis.eval(RELEASE, 2, this.#key(held.workerId), this.#lastKey(held.workerId), held.token, this.#o.ttlMs, this.#o.now());
    this.#o.onChange?.({ type: 'released', workerId: held.workerId });
  }

  current(): WorkerIdGrant | undefined {
    const held = this.#held;
    if (!held) return undefined;
    if (this.#o.monotonicNow() >= held.validUntil) {
      this.#lose('the lease was not renewed in time');
      return undefined;
    }
    return { workerId: held.workerId, notBefore: held.notBefore };
  }

  /** Tries every worker id once, from a random one, and takes the first free. */
  async acquire(): Promise<number> {
    const count = this.#o.maxWorkerId + 1;
    const first = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      const workerId = (first + i) % count;
      const token = randomUUID();
      const sent = this.#o.monotonicNow();
      const ok = await this.#o.redis.set(this.#key(workerId), token, 'PX', this.#o.ttlMs, 'NX');
      if (ok !== 'OK') continue;
      const last = Number((await this.#o.redis.get(this.#lastKey(workerId))) ?? 0);
      this.#held = { workerId, token, notBefore: last, validUntil: sent + this.#o.ttlMs - this.#o.safetyMarginMs };
      this.#o.onChange?.({ type: 'acquired', workerId });
      return workerId;
    }
    throw new WorkerIdUnavailableError(`all ${count} worker ids under ${this.#o.namespace} are leased`, { namespace: this.#o.namespace });
  }

  async #tick(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      if (this.#held) await this.#renew(this.#held);
      else await this.acquire().catch(() => undefined);
    } finally {
      this.#renewing = false;
    }
  }

  async #renew(held: Held): Promise<void> {
    const sent = this.#o.monotonicNow();
    const validUntil = sent + this.#o.ttlMs - this.#o.safetyMarginMs;
    // The latest wall-clock ms this holder may issue with the id if this renewal succeeds.
    const lastUse = this.#o.now() + (validUntil - sent);
    try {
      const ok = await this.#o.redis.eval(RENEW, 2, this.#key(held.workerId), this.#lastKey(held.workerId), held.token, this.#o.ttlMs, lastUse);
      if (ok === 1) {
        if (this.#held === held) held.validUntil = validUntil;
      } else {
        this.#lose('another holder has the worker id (the lease expired in Redis)');
      }
    } catch {
      // Unreachable Redis: keep issuing until the current deadline, which current() enforces.
    }
  }

  #lose(reason: string): void {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    this.#o.onChange?.({ type: 'lost', workerId: held.workerId, reason });
  }

  #key(id: number): string {
    return `${this.#o.namespace}:worker:${id}`;
  }

  #lastKey(id: number): string {
    return `${this.#o.namespace}:last:${id}`;
  }
}

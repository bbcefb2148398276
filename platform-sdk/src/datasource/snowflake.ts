/**
 * Snowflake ids as ShardingSphere's SNOWFLAKE key generator lays them out: a 64-bit signed
 * integer (bigint here) = 0 | 41 bits of milliseconds since 2016-11-01T00:00:00Z | 10 bits of
 * worker id | 12 bits of sequence within the millisecond.
 *
 * Two guarantees make ids unique across processes: the worker id comes from a lease that no
 * two live generators share (worker-id-lease), and a generator never issues a timestamp it
 * may already have used. When the clock steps back by at most
 * `maxTolerateTimeDifferenceMilliseconds` (ShardingSphere's prop, default 10) the generator
 * waits it out; a larger step back is refused (SILK_ID_CLOCK_BACKWARDS) until the clock has
 * caught up. A worker id's `notBefore` (the latest time its previous holder may have used)
 * is honoured the same way. Pure: the clock and the wait are injected.
 */
import { ClockBackwardsError, WorkerIdUnavailableError } from './errors.js';

export const SNOWFLAKE_EPOCH = Date.UTC(2016, 10, 1);
export const WORKER_ID_BITS = 10;
export const SEQUENCE_BITS = 12;
export const MAX_WORKER_ID = (1 << WORKER_ID_BITS) - 1;
const SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1;

export interface WorkerIdGrant {
  workerId: number;
  /** Wall-clock ms the previous holder may have issued ids up to. */
  notBefore: number;
}

/** Where the worker id comes from; undefined while none is held (ids are then refused). */
export interface WorkerIdSource {
  current(): WorkerIdGrant | undefined;
}

export interface SnowflakeOptions {
  workerIds: WorkerIdSource;
  /** Wall clock in ms; default Date.now. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  maxTolerateTimeDifferenceMilliseconds?: number;
}

export class SnowflakeGenerator {
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #tolerate: number;
  #lastMs = -1;
  #sequence = 0;
  #workerId = -1;

  constructor(private readonly options: SnowflakeOptions) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#tolerate = options.maxTolerateTimeDifferenceMilliseconds ?? 10;
  }

  async nextId(): Promise<bigint> {
    for (;;) {
      const grant = this.options.workerIds.current();
      if (!grant) throw new WorkerIdUnavailableError('the lease is not held');
      if (grant.workerId !== this.#workerId) {
        // A new worker id: never reuse a millisecond its previous holder may have used.
        this.#workerId = grant.workerId;
        this.#lastMs = Math.max(this.#lastMs, grant.notBefore);
        this.#sequence = SEQUENCE_MASK;
      }
      const now = this.#now();
      if (now < this.#lastMs) {
        if (this.#lastMs - now > this.#tolerate) throw new ClockBackwardsError(this.#lastMs, now, this.#tolerate);
        await this.#sleep(this.#lastMs - now + 1);
        continue;
      }
      if (now === this.#lastMs) {
        if (this.#sequence < SEQUENCE_MASK) {
          this.#sequence++;
          return compose(now, grant.workerId, this.#sequence);
        }
        await this.#sleep(1); // this millisecond is used up
        continue;
      }
      this.#lastMs = now;
      this.#sequence = 0;
      return compose(now, grant.workerId, 0);
    }
  }
}

export function compose(ms: number, workerId: number, sequence: number): bigint {
  return (
    (BigInt(ms - SNOWFLAKE_EPOCH) << BigInt(WORKER_ID_BITS + SEQUENCE_BITS)) |
    (BigInt(workerId) << BigInt(SEQUENCE_BITS)) |
    BigInt(sequence)
  );
}

export function parseSnowflake(id: bigint): { ms: number; workerId: number; sequence: number } {
  return {
    ms: Number(id >> BigInt(WORKER_ID_BITS + SEQUENCE_BITS)) + SNOWFLAKE_EPOCH,
    workerId: Number((id >> BigInt(SEQUENCE_BITS)) & BigInt(MAX_WORKER_ID)),
    sequence: Number(id & BigInt(SEQUENCE_MASK)),
  };
}

/**
 * One bucket of request statistics (MetricBucket) and the leap array of them
 * (BucketLeapArray). Plain numeric fields instead of Java's LongAdder array: one thread, and
 * V8 keeps a fixed-shape object of small integers unboxed.
 */
import { DEFAULT_STATISTIC_MAX_RT } from '../constants.js';
import { LeapArray } from './leap-array.js';

export class MetricBucket {
  pass = 0;
  block = 0;
  exception = 0;
  success = 0;
  rt = 0;
  occupiedPass = 0;
  minRt = DEFAULT_STATISTIC_MAX_RT;

  reset(): void {
    this.pass = 0;
    this.block = 0;
    this.exception = 0;
    this.success = 0;
    this.rt = 0;
    this.occupiedPass = 0;
    this.minRt = DEFAULT_STATISTIC_MAX_RT;
  }

  addRt(rt: number): void {
    this.rt += rt;
    if (rt < this.minRt) this.minRt = rt;
  }
}

export class BucketLeapArray extends LeapArray<MetricBucket> {
  protected override newEmptyBucket(): MetricBucket {
    return new MetricBucket();
  }

  protected override resetBucket(bucket: MetricBucket): void {
    bucket.reset();
  }
}

/** One second of a node's statistics, as the dashboard's `metric` command reports it (MetricNode). */
export interface MetricNode {
  /** Start of the second, ms since the epoch. */
  timestamp: number;
  passQps: number;
  blockQps: number;
  successQps: number;
  exceptionQps: number;
  /** Average rt of the second's successful completions (Java: rt / success, integer division). */
  rt: number;
  occupiedPassQps: number;
  concurrency: number;
  classification: number;
}

/**
 * StatisticNode: the real-time statistics of one node — a per-second window (2 buckets over
 * 1000 ms) for the QPS a rule compares against, a per-minute window (60 buckets of 1 s) for the
 * previous second and for the dashboard, and the current concurrency ("thread" count).
 *
 * Every read starts with `currentWindow(now)`, as Java's ArrayMetric does, so a stale bucket
 * is reset before it can be mistaken for a live one.
 */
import {
  DEFAULT_STATISTIC_MAX_RT,
  INTERVAL,
  MINUTE_INTERVAL,
  MINUTE_SAMPLE_COUNT,
  SAMPLE_COUNT,
} from '../constants.js';
import type { SentinelClock } from './clock.js';
import { BucketLeapArray, type MetricNode } from './metric-bucket.js';

export class StatisticNode {
  readonly clock: SentinelClock;
  readonly rollingCounterInSecond = new BucketLeapArray(SAMPLE_COUNT, INTERVAL);
  readonly rollingCounterInMinute = new BucketLeapArray(MINUTE_SAMPLE_COUNT, MINUTE_INTERVAL);
  #curThreadNum = 0;

  constructor(clock: SentinelClock) {
    this.clock = clock;
  }

  passQps(): number {
    return this.#sumSecond(0) / this.rollingCounterInSecond.intervalInSecond;
  }

  blockQps(): number {
    return this.#sumSecond(1) / this.rollingCounterInSecond.intervalInSecond;
  }

  successQps(): number {
    return this.#sumSecond(2) / this.rollingCounterInSecond.intervalInSecond;
  }

  exceptionQps(): number {
    return this.#sumSecond(3) / this.rollingCounterInSecond.intervalInSecond;
  }

  totalQps(): number {
    return this.passQps() + this.blockQps();
  }

  /** Average rt of the successful completions in the last second; 0 when there were none. */
  avgRt(): number {
    const success = this.#sumSecond(2);
    return success === 0 ? 0 : this.#sumSecond(4) / success;
  }

  /** Smallest rt seen in the last second, at least 1 (5000 when nothing completed). */
  minRt(): number {
    const la = this.rollingCounterInSecond;
    const now = this.clock.now();
    la.currentWindow(now);
    let rt = DEFAULT_STATISTIC_MAX_RT;
    for (let i = 0; i < la.length; i++) {
      if (la.isLive(i, now) && la.bucketAt(i).minRt < rt) rt = la.bucketAt(i).minRt;
    }
    return Math.max(1, rt);
  }

  /** The best bucket's success count scaled to a second, at least one bucket's worth (BBR). */
  maxSuccessQps(): number {
    const la = this.rollingCounterInSecond;
    const now = this.clock.now();
    la.currentWindow(now);
    let max = 0;
    for (let i = 0; i < la.length; i++) {
      if (la.isLive(i, now) && la.bucketAt(i).success > max) max = la.bucketAt(i).success;
    }
    return (Math.max(max, 1) * la.sampleCount) / la.intervalInSecond;
  }

  /** Passes of the previous whole second (from the minute window), as warm-up needs. */
  previousPassQps(): number {
    const now = this.clock.now();
    this.rollingCounterInMinute.currentWindow(now);
    return this.rollingCounterInMinute.previousWindow(now)?.pass ?? 0;
  }

  previousBlockQps(): number {
    const now = this.clock.now();
    this.rollingCounterInMinute.currentWindow(now);
    return this.rollingCounterInMinute.previousWindow(now)?.block ?? 0;
  }

  totalRequest(): number {
    return this.#sumMinute(0) + this.#sumMinute(1);
  }

  blockRequest(): number {
    return this.#sumMinute(1);
  }

  totalSuccess(): number {
    return this.#sumMinute(2);
  }

  totalException(): number {
    return this.#sumMinute(3);
  }

  curThreadNum(): number {
    return this.#curThreadNum;
  }

  addPassRequest(count: number): void {
    this.addPassRequestAt(this.clock.now(), count);
  }

  addRtAndSuccess(rt: number, successCount: number): void {
    this.addRtAndSuccessAt(this.clock.now(), rt, successCount);
  }

  increaseBlockQps(count: number): void {
    this.increaseBlockQpsAt(this.clock.now(), count);
  }

  increaseExceptionQps(count: number): void {
    this.increaseExceptionQpsAt(this.clock.now(), count);
  }

  // The *At variants take the time the caller already read, so one entry reads the clock a
  // few times instead of once per node and window.
  addPassRequestAt(now: number, count: number): void {
    this.rollingCounterInSecond.currentWindow(now).pass += count;
    this.rollingCounterInMinute.currentWindow(now).pass += count;
  }

  addRtAndSuccessAt(now: number, rt: number, successCount: number): void {
    const s = this.rollingCounterInSecond.currentWindow(now);
    s.success += successCount;
    s.addRt(rt);
    const m = this.rollingCounterInMinute.currentWindow(now);
    m.success += successCount;
    m.addRt(rt);
  }

  increaseBlockQpsAt(now: number, count: number): void {
    this.rollingCounterInSecond.currentWindow(now).block += count;
    this.rollingCounterInMinute.currentWindow(now).block += count;
  }

  increaseExceptionQpsAt(now: number, count: number): void {
    this.rollingCounterInSecond.currentWindow(now).exception += count;
    this.rollingCounterInMinute.currentWindow(now).exception += count;
  }

  increaseThreadNum(): void {
    this.#curThreadNum++;
  }

  decreaseThreadNum(): void {
    this.#curThreadNum--;
  }

  /**
   * Completed seconds of the last minute with any traffic, oldest first, whose start is in
   * [fromMs, toMs): what the dashboard's `metric` command and the metric log read.
   */
  secondMetrics(fromMs: number, toMs: number, classification = 0): MetricNode[] {
    const la = this.rollingCounterInMinute;
    const now = this.clock.now();
    la.currentWindow(now);
    const out: MetricNode[] = [];
    for (let i = 0; i < la.length; i++) {
      const start = la.windowStartAt(i);
      if (!la.isLive(i, now) || start < fromMs || start >= toMs) continue;
      const b = la.bucketAt(i);
      if (b.pass + b.block + b.success + b.exception + b.rt + b.occupiedPass === 0) continue;
      out.push({
        timestamp: start,
        passQps: b.pass,
        blockQps: b.block,
        successQps: b.success,
        exceptionQps: b.exception,
        rt: b.success === 0 ? b.rt : Math.trunc(b.rt / b.success),
        occupiedPassQps: b.occupiedPass,
        concurrency: this.#curThreadNum,
        classification,
      });
    }
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  // 0 pass, 1 block, 2 success, 3 exception, 4 rt: a switch keeps the loops allocation-free.
  #sumSecond(field: number): number {
    return sum(this.rollingCounterInSecond, this.clock.now(), field);
  }

  #sumMinute(field: number): number {
    return sum(this.rollingCounterInMinute, this.clock.now(), field);
  }
}

function sum(la: BucketLeapArray, now: number, field: number): number {
  la.currentWindow(now);
  let total = 0;
  for (let i = 0; i < la.length; i++) {
    if (!la.isLive(i, now)) continue;
    const b = la.bucketAt(i);
    total +=
      field === 0
        ? b.pass
        : field === 1
          ? b.block
          : field === 2
            ? b.success
            : field === 3
              ? b.exception
              : b.rt;
  }
  return total;
}

/**
 * Circuit breakers (AbstractCircuitBreaker, ResponseTimeCircuitBreaker,
 * ExceptionCircuitBreaker). CLOSED counts completions in one bucket of `statIntervalMs`; when
 * the bucket holds at least `minRequestAmount` and the slow ratio, error ratio or error count
 * exceeds the threshold, the breaker OPENs for `timeWindow` seconds. The first request after
 * that becomes the single HALF_OPEN probe: its success closes the breaker (and clears the
 * stats), its failure opens it again for another window, and if another rule blocks the
 * probe, the breaker goes back to OPEN with the retry time already due (as in Java).
 */
import type { SentinelClock } from '../core/clock.js';
import type { Entry, TerminateHandler } from '../core/entry.js';
import { LeapArray } from '../core/leap-array.js';
import { BlockResultCache } from '../core/rule.js';
import { RuleConstant } from '../constants.js';
import type { DegradeRule } from './rule.js';

export type CircuitBreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** CircuitBreakerStateChangeObserver: `snapshotValue` is the ratio/count that tripped, if any. */
export type StateChangeListener = (
  prev: CircuitBreakerState,
  next: CircuitBreakerState,
  rule: DegradeRule,
  snapshotValue: number | undefined,
) => void;

class Counter {
  bad = 0;
  total = 0;
}

class CounterLeapArray extends LeapArray<Counter> {
  protected override newEmptyBucket(): Counter {
    return new Counter();
  }

  protected override resetBucket(bucket: Counter): void {
    bucket.bad = 0;
    bucket.total = 0;
  }
}

export class CircuitBreaker implements TerminateHandler {
  readonly rule: DegradeRule;
  readonly block: BlockResultCache;
  readonly #clock: SentinelClock;
  readonly #notify: StateChangeListener;
  readonly #stat: CounterLeapArray;
  readonly #recoveryTimeoutMs: number;
  readonly #maxAllowedRt: number;
  #state: CircuitBreakerState = 'CLOSED';
  #nextRetryTimestamp = 0;

  constructor(rule: DegradeRule, clock: SentinelClock, notify: StateChangeListener) {
    this.rule = rule;
    this.block = new BlockResultCache('degrade', rule);
    this.#clock = clock;
    this.#notify = notify;
    this.#stat = new CounterLeapArray(1, rule.statIntervalMs);
    this.#recoveryTimeoutMs = rule.timeWindow * 1000;
    this.#maxAllowedRt = Math.round(rule.count);
  }

  get state(): CircuitBreakerState {
    return this.#state;
  }

  /** Whether `entry` may pass; the first one after the open window becomes the probe. */
  tryPass(entry: Entry): boolean {
    if (this.#state === 'CLOSED') return true;
    if (this.#state === 'HALF_OPEN') return false;
    if (this.#clock.now() < this.#nextRetryTimestamp) return false;
    this.#transition('HALF_OPEN', undefined);
    entry.addTerminateHandler(this);
    return true;
  }

  /** The probe was blocked by a later rule: back to OPEN, retry already due. */
  onEntryTerminated(entry: Entry): void {
    if (entry.blockError !== null && this.#state === 'HALF_OPEN') this.#transition('OPEN', 1.0);
  }

  /** An admitted entry completed (DegradeSlot.exit). */
  onRequestComplete(entry: Entry): void {
    const now = this.#clock.now();
    const counter = this.#stat.currentWindow(now);
    const bad = this.#isBad(entry, now);
    if (bad) counter.bad++;
    counter.total++;
    if (this.#state === 'OPEN') return;
    if (this.#state === 'HALF_OPEN') {
      if (bad) this.#open(1.0);
      else this.#close();
      return;
    }
    this.#checkThreshold(now);
  }

  #isBad(entry: Entry, now: number): boolean {
    if (this.rule.grade !== RuleConstant.DEGRADE_GRADE_RT) return entry.error !== undefined;
    const complete = entry.completeTimestamp > 0 ? entry.completeTimestamp : now;
    return complete - entry.createTimestamp > this.#maxAllowedRt;
  }

  #checkThreshold(now: number): void {
    let bad = 0;
    let total = 0;
    for (let i = 0; i < this.#stat.length; i++) {
      if (!this.#stat.isLive(i, now)) continue;
      bad += this.#stat.bucketAt(i).bad;
      total += this.#stat.bucketAt(i).total;
    }
    if (total < this.rule.minRequestAmount) return;
    const { grade, count, slowRatioThreshold } = this.rule;
    if (grade === RuleConstant.DEGRADE_GRADE_RT) {
      const ratio = bad / total;
      // A threshold of exactly 1.0 still opens when every request was slow.
      if (ratio > slowRatioThreshold || (ratio === slowRatioThreshold && slowRatioThreshold === 1.0)) {
        this.#open(ratio);
      }
      return;
    }
    const value = grade === RuleConstant.DEGRADE_GRADE_EXCEPTION_RATIO ? bad / total : bad;
    if (value > count) this.#open(value);
  }

  #open(snapshot: number): void {
    this.#nextRetryTimestamp = this.#clock.now() + this.#recoveryTimeoutMs;
    this.#transition('OPEN', snapshot);
  }

  #close(): void {
    this.#stat.currentWindow(this.#clock.now());
    for (let i = 0; i < this.#stat.length; i++) this.#stat.bucketAt(i).bad = this.#stat.bucketAt(i).total = 0;
    this.#transition('CLOSED', undefined);
  }

  #transition(next: CircuitBreakerState, snapshot: number | undefined): void {
    const prev = this.#state;
    this.#state = next;
    this.#notify(prev, next, this.rule, snapshot);
  }
}

/**
 * Warm-up (WarmUpController): Guava's SmoothWarmingUp token bucket as Sentinel adapted it.
 * A cold resource holds `maxToken` stored tokens and admits only `count / coldFactor` QPS;
 * as traffic drains the bucket towards `warningToken` the admitted QPS climbs along the slope
 * to `count`, over about `warmUpPeriodSec`. Tokens refill once per whole second, and only while
 * traffic stays below `count / coldFactor` (a busy resource stays warm).
 *
 *   warningToken = (int)(warmUpPeriodSec * count) / (coldFactor - 1)        (integer division)
 *   maxToken     = warningToken + (int)(2 * warmUpPeriodSec * count / (1 + coldFactor))
 *   slope        = (coldFactor - 1) / count / (maxToken - warningToken)
 *   warningQps   = nextUp(1 / ((stored - warningToken) * slope + 1 / count))  when stored >= warningToken
 *
 * WarmUpRateLimiterController spaces requests evenly at the warm-up rate instead of rejecting
 * (controlBehavior 3).
 */
import type { StatisticNode } from '../core/statistic-node.js';
import { BLOCKED, nextUp, type TrafficShapingController } from './traffic-shaping.js';

export class WarmUpController implements TrafficShapingController {
  readonly count: number;
  readonly coldFactor: number;
  readonly warningToken: number;
  readonly maxToken: number;
  readonly slope: number;
  storedTokens = 0;
  lastFilledTime = 0;

  constructor(count: number, warmUpPeriodSec: number, coldFactor: number) {
    if (coldFactor <= 1) throw new RangeError('cold factor must be larger than 1');
    this.count = count;
    this.coldFactor = coldFactor;
    this.warningToken = Math.trunc(Math.trunc(warmUpPeriodSec * count) / (coldFactor - 1));
    this.maxToken = this.warningToken + Math.trunc((2 * warmUpPeriodSec * count) / (1.0 + coldFactor));
    this.slope = (coldFactor - 1.0) / count / (this.maxToken - this.warningToken);
  }

  canPass(node: StatisticNode, acquireCount: number): number {
    const passQps = Math.trunc(node.passQps());
    this.syncToken(Math.trunc(node.previousPassQps()), node.clock.now());
    const admitted = this.storedTokens >= this.warningToken ? this.warningQps() : this.count;
    return passQps + acquireCount <= admitted ? 0 : BLOCKED;
  }

  /** The QPS admitted at the current token level, while above the warning line. */
  protected warningQps(): number {
    const aboveToken = this.storedTokens - this.warningToken;
    return nextUp(1.0 / (aboveToken * this.slope + 1.0 / this.count));
  }

  /** Refills (at most once per whole second), then takes the previous second's passes. */
  protected syncToken(passQps: number, now: number): void {
    const currentTime = now - (now % 1000);
    if (currentTime <= this.lastFilledTime) return;
    this.storedTokens = Math.max(0, this.#coolDownTokens(currentTime, passQps) - passQps);
    this.lastFilledTime = currentTime;
  }

  #coolDownTokens(currentTime: number, passQps: number): number {
    const old = this.storedTokens;
    // Below the warning line tokens always refill; above it only while traffic is light —
    // Java: passQps < (int) count / coldFactor, an int division.
    const refill =
      old < this.warningToken ||
      (old > this.warningToken && passQps < Math.trunc(Math.trunc(this.count) / this.coldFactor));
    const next = refill ? Math.trunc(old + ((currentTime - this.lastFilledTime) * this.count) / 1000) : old;
    return Math.min(next, this.maxToken);
  }
}

export class WarmUpRateLimiterController extends WarmUpController {
  readonly #timeoutInMs: number;
  #latestPassedTime = -1;

  constructor(count: number, warmUpPeriodSec: number, timeoutInMs: number, coldFactor: number) {
    super(count, warmUpPeriodSec, coldFactor);
    this.#timeoutInMs = timeoutInMs;
  }

  override canPass(node: StatisticNode, acquireCount: number): number {
    const now = node.clock.now();
    this.syncToken(Math.trunc(node.previousPassQps()), now);
    const qps = this.storedTokens >= this.warningToken ? this.warningQps() : this.count;
    const costTime = Math.round((acquireCount / qps) * 1000);
    const expectedTime = costTime + this.#latestPassedTime;
    if (expectedTime <= now) {
      this.#latestPassedTime = now;
      return 0;
    }
    const waitTime = expectedTime - now;
    if (waitTime > this.#timeoutInMs) return BLOCKED;
    this.#latestPassedTime += costTime;
    return waitTime;
  }
}

/**
 * Rate limiting by queueing (ThrottlingController, controlBehavior 2): requests are spaced
 * `1000 * acquireCount / count` ms apart; one that would wait longer than
 * `maxQueueingTimeMs` is rejected, the others are admitted with the wait they must sit out.
 *
 * Java switches to nanosecond arithmetic when the spacing is not a whole number of ms
 * (`1000 % round(count) != 0`) or under 1 ms (`count > 1000`); here the same cases keep the
 * spacing as a fractional millisecond, rounded to the nanosecond as Java's would be.
 */
import type { StatisticNode } from '../core/statistic-node.js';
import { BLOCKED, type TrafficShapingController } from './traffic-shaping.js';

export class ThrottlingController implements TrafficShapingController {
  readonly #maxQueueingTimeMs: number;
  readonly #count: number;
  readonly #statDurationMs: number;
  readonly #useNanoSeconds: boolean;
  #latestPassedTime = -1;

  constructor(maxQueueingTimeMs: number, count: number, statDurationMs = 1000) {
    this.#maxQueueingTimeMs = maxQueueingTimeMs;
    this.#count = count;
    this.#statDurationMs = statDurationMs;
    this.#useNanoSeconds =
      count > 0 && (statDurationMs % Math.round(count) !== 0 || count / statDurationMs > 1);
  }

  canPass(node: StatisticNode, acquireCount: number): number {
    if (acquireCount <= 0) return 0;
    if (this.#count <= 0) return BLOCKED;
    const now = node.clock.now();
    const exact = (this.#statDurationMs * acquireCount) / this.#count;
    const costTime = this.#useNanoSeconds ? Math.round(exact * 1e6) / 1e6 : Math.round(exact);
    const expectedTime = costTime + this.#latestPassedTime;
    if (expectedTime <= now) {
      this.#latestPassedTime = now;
      return 0;
    }
    const waitTime = expectedTime - now;
    if (waitTime > this.#maxQueueingTimeMs) return BLOCKED;
    this.#latestPassedTime += costTime;
    return waitTime;
  }
}

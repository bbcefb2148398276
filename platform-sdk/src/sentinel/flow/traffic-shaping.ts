/**
 * Traffic-shaping controllers (TrafficShapingController) decide whether `acquireCount` more
 * requests fit on a node. `canPass` returns the milliseconds the request must wait before it
 * proceeds (0 for "go now") or BLOCKED. Java sleeps inside canPass; on an event loop the wait
 * is handed back to the caller instead.
 *
 * DefaultController is the plain "reject above the threshold" controller, by QPS or by
 * concurrency. Java's prioritized "occupy the next window" path is not implemented.
 */
import { RuleConstant } from '../constants.js';
import type { StatisticNode } from '../core/statistic-node.js';

export const BLOCKED = -1;

export interface TrafficShapingController {
  canPass(node: StatisticNode, acquireCount: number): number;
}

export class DefaultController implements TrafficShapingController {
  readonly #count: number;
  readonly #byThread: boolean;

  constructor(count: number, grade: number) {
    this.#count = count;
    this.#byThread = grade === RuleConstant.FLOW_GRADE_THREAD;
  }

  canPass(node: StatisticNode, acquireCount: number): number {
    // Java truncates the QPS to an int before comparing: (int) node.passQps().
    const cur = this.#byThread ? node.curThreadNum() : Math.trunc(node.passQps());
    return cur + acquireCount > this.#count ? BLOCKED : 0;
  }
}

// Shared views over one 8-byte buffer: nextUp runs per entry under warm-up, so no allocation.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** Math.nextUp for a double: the next representable value towards +Infinity. */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  if (x > 0) {
    // Adding one ulp to the magnitude: increment the 64-bit pattern.
    u32[LO] = (u32[LO]! + 1) >>> 0;
    if (u32[LO] === 0) u32[HI] = (u32[HI]! + 1) >>> 0;
  } else {
    if (u32[LO] === 0) u32[HI] = (u32[HI]! - 1) >>> 0;
    u32[LO] = (u32[LO]! - 1) >>> 0;
  }
  return f64[0];
}

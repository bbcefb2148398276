import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createSentinel, type Sentinel } from '../sentinel.js';
import { nextUp } from './traffic-shaping.js';

/** Fires `n` entries at the start of the current second; returns how many were admitted. */
function burst(sentinel: Sentinel, n: number): number {
  let passed = 0;
  for (let i = 0; i < n; i++) {
    const r = sentinel.entry('r');
    if (!r.blocked) {
      passed++;
      r.exit();
    }
  }
  return passed;
}

/**
 * Sentinel's warm-up formula, written out independently of the controller: per second, sync
 * the tokens with the previous second's passes, then admit up to the warning QPS.
 */
function expectedAdmissions(count: number, period: number, coldFactor: number, demand: number[]): number[] {
  const warningToken = Math.trunc(Math.trunc(period * count) / (coldFactor - 1));
  const maxToken = warningToken + Math.trunc((2 * period * count) / (1 + coldFactor));
  const slope = (coldFactor - 1) / count / (maxToken - warningToken);
  let stored = maxToken; // a never-used resource is fully cold
  let previous = 0;
  let first = true;
  return demand.map((want) => {
    if (!first) {
      const refill =
        stored < warningToken ||
        (stored > warningToken && previous < Math.trunc(Math.trunc(count) / coldFactor));
      if (refill) stored = Math.min(maxToken, stored + count);
      stored = Math.max(0, stored - previous);
    }
    first = false;
    const limit = stored >= warningToken ? nextUp(1 / ((stored - warningToken) * slope + 1 / count)) : count;
    const admitted = Math.min(want, Math.floor(limit + 1e-9));
    previous = admitted;
    return admitted;
  });
}

describe('warm-up (controlBehavior 1)', () => {
  const count = 10;
  const period = 10;

  it('starts at count / coldFactor and climbs along the slope to count', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.flowRules.loadRules([{ resource: 'r', count, controlBehavior: 1, warmUpPeriodSec: period }]);
    const seconds = 40;
    const got: number[] = [];
    for (let s = 0; s < seconds; s++) {
      got.push(burst(sentinel, 100));
      clock.advance(1000);
    }
    // warningToken 50, maxToken 100, slope 0.004: cold QPS = 1 / (50 * 0.004 + 0.1) = 3.33
    // tokens fall by the 3 admitted each second: 100, 97, 94, 91, 88, 85 -> QPS 3.33 ... 3.97, 4.17
    expect(got.slice(0, 6)).toEqual([3, 3, 3, 3, 3, 4]);
    expect(got).toEqual(expectedAdmissions(count, period, 3, new Array<number>(seconds).fill(100)));
    expect(got.at(-1)).toBe(count);
    expect(got.findIndex((n) => n === count)).toBeGreaterThan(period);
  });

  it('cools down again after the resource idles, and stays warm under steady load', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.flowRules.loadRules([{ resource: 'r', count, controlBehavior: 1, warmUpPeriodSec: period }]);
    for (let s = 0; s < 40; s++) {
      burst(sentinel, 100);
      clock.advance(1000);
    }
    expect(burst(sentinel, 100)).toBe(count); // warm, and a busy resource stays warm
    clock.advance(60_000); // idle: tokens refill to maxToken
    expect(burst(sentinel, 100)).toBe(3);
  });

  it('stays warm when the same rules are loaded again, and starts cold when the rule changes', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    const rule = { resource: 'r', count, controlBehavior: 1, warmUpPeriodSec: period };
    sentinel.flowRules.loadRules([rule]);
    for (let s = 0; s < 40; s++) {
      burst(sentinel, 100);
      clock.advance(1000);
    }
    sentinel.flowRules.loadRules([
      { ...rule, id: 5 },
      { resource: 'other', count: 1 },
    ]);
    expect(burst(sentinel, 100)).toBe(count);
    clock.advance(1000);
    sentinel.flowRules.loadRules([{ ...rule, count: 20 }]);
    // cold again: 200 tokens less the 10 passed last second -> 1 / (90 * 0.001 + 1 / 20) = 7.14
    expect(burst(sentinel, 100)).toBe(7);
  });

  it('honours a configured cold factor', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock, coldFactor: 5 });
    sentinel.flowRules.loadRules([{ resource: 'r', count: 100, controlBehavior: 1, warmUpPeriodSec: 10 }]);
    // warningToken 250, maxToken 250 + 333 = 583: cold QPS = nextUp(1 / (333 * 4/100/333 + 0.01)) = 20
    expect(burst(sentinel, 500)).toBe(20);
  });
});

describe('warm-up rate limiter (controlBehavior 3)', () => {
  it('spaces requests at the cold rate and rejects beyond maxQueueingTimeMs', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.flowRules.loadRules([
      { resource: 'r', count: 10, controlBehavior: 3, warmUpPeriodSec: 10, maxQueueingTimeMs: 1000 },
    ]);
    const waits: (number | 'blocked')[] = [];
    for (let i = 0; i < 5; i++) {
      const r = sentinel.entry('r');
      waits.push(r.blocked ? 'blocked' : r.waitMs);
    }
    // cold QPS 3.33 -> one request per 300 ms
    expect(waits).toEqual([0, 300, 600, 900, 'blocked']);
  });
});

/**
 * Circuit-breaker scenarios: each strategy through CLOSED -> OPEN -> HALF_OPEN -> CLOSED/OPEN
 * with its single probe, slow ratios on both sides of the max rt, a threshold of 0 and of 1.0,
 * long stat intervals, requests still in flight when a breaker opens, and a flow rule plus two
 * breakers on one resource.
 */
import { BREAKER_CYCLE, scenario, type Scenario, type ScheduleBuilder } from './scenario.js';

/** A breaker on resource `cb` under phases of [duration ms, rate, probability of a bad request]. */
function breaker(
  name: string,
  seed: number,
  rule: Record<string, unknown>,
  phases: readonly (readonly [number, number, number])[],
  bad: (b: ScheduleBuilder, t: number, isBad: boolean) => void,
): Scenario {
  return scenario(
    name,
    seed,
    { degrade: [{ resource: 'cb', ...rule }] },
    (b) => {
      let from = 0;
      for (const [duration, rate, p] of phases) {
        b.arrivals(from, from + duration, rate, (t) => bad(b, t, b.random() < p));
        from += duration;
      }
    },
    BREAKER_CYCLE,
  );
}

const BREAKER_PHASES = [
  [4000, 20, 0.1],
  [5000, 20, 0.8],
  [5000, 15, 0.3],
  [6000, 25, 0.9],
  [5000, 20, 0.05],
  [5000, 10, 0.6],
  [5000, 30, 0.0],
] as const;

export function slowRatio(): Scenario {
  return breaker(
    'degrade SLOW_REQUEST_RATIO maxRt=100 ratio=0.5 min=5 stat=1000 window=2s: slow share 0.1/0.8/0.3/0.9/0.05/0.6/0',
    61,
    {
      grade: 0,
      count: 100,
      slowRatioThreshold: 0.5,
      minRequestAmount: 5,
      statIntervalMs: 1000,
      timeWindow: 2,
    },
    BREAKER_PHASES,
    // rt 100 is not slow (Java: rt > maxAllowedRt), 101 is: both edges are drawn often.
    (b, t, slow) =>
      b.request(t, { resource: 'cb' }, slow ? b.pick([101, b.int(101, 400)]) : b.pick([100, b.int(0, 100)])),
  );
}

export function errorRatio(): Scenario {
  return breaker(
    'degrade ERROR_RATIO 0.4 min=6 stat=1000 window=1s: error share 0.1/0.8/0.3/0.9/0.05/0.6/0',
    71,
    { grade: 1, count: 0.4, minRequestAmount: 6, statIntervalMs: 1000, timeWindow: 1 },
    BREAKER_PHASES,
    (b, t, error) => b.request(t, { resource: 'cb' }, b.int(0, 200), error),
  );
}

export function errorCount(): Scenario {
  return breaker(
    'degrade ERROR_COUNT 4 min=3 stat=2000 window=2s: error share 0.1/0.8/0.3/0.9/0.05/0.6/0',
    81,
    { grade: 2, count: 4, minRequestAmount: 3, statIntervalMs: 2000, timeWindow: 2 },
    BREAKER_PHASES,
    (b, t, error) => b.request(t, { resource: 'cb' }, b.int(0, 300), error),
  );
}

export function flowAndBreaker(): Scenario {
  // A flow block comes before the breaker's check, so it never spends the probe (DegradeSlot is
  // the last slot); and a two-breaker resource where one breaker's probe is blocked by the other.
  return scenario(
    'flow QPS 12 + breakers SLOW_REQUEST_RATIO maxRt=50 ratio=1.0 and ERROR_COUNT 3 on one resource: 8-30/s',
    111,
    {
      flow: [{ resource: 'mix', count: 12 }],
      degrade: [
        { resource: 'mix', grade: 0, count: 50, slowRatioThreshold: 1.0, minRequestAmount: 3, timeWindow: 1 },
        { resource: 'mix', grade: 2, count: 3, minRequestAmount: 2, statIntervalMs: 1000, timeWindow: 3 },
      ],
    },
    (b) => {
      const phases = [
        [4000, 8, 0.1, 0.2],
        [4000, 30, 0.9, 0.3],
        [4000, 10, 1.0, 0.0],
        [5000, 15, 0.2, 0.6],
        [5000, 20, 0.95, 0.1],
        [4000, 12, 0.0, 0.0],
      ] as const;
      let from = 0;
      for (const [duration, rate, pSlow, pError] of phases) {
        b.arrivals(from, from + duration, rate, (t) =>
          b.request(
            t,
            { resource: 'mix' },
            b.random() < pSlow ? b.int(51, 200) : b.int(0, 50),
            b.random() < pError,
          ),
        );
        from += duration;
      }
    },
    [/ mix\/0 CLOSED OPEN$/m, / mix\/2 CLOSED OPEN$/m, /^\d+ B flow /m, /^\d+ B degrade /m],
  );
}

export function slowRatioLongInterval(): Scenario {
  return scenario(
    'degrade SLOW_REQUEST_RATIO maxRt=20 ratio=0 min=4 stat=5000 window=1s: 15/s for 40 s, 12% slow up to 6 s',
    203,
    {
      degrade: [
        {
          resource: 'cb',
          grade: 0,
          count: 20,
          slowRatioThreshold: 0,
          minRequestAmount: 4,
          statIntervalMs: 5000,
          timeWindow: 1,
        },
      ],
    },
    (b) =>
      b.arrivals(0, 40_000, 15, (t) =>
        b.request(t, { resource: 'cb' }, b.random() < 0.12 ? b.int(21, 6000) : b.int(0, 20)),
      ),
    BREAKER_CYCLE,
  );
}

/** Requests of up to 9 s: many complete while their breaker is OPEN or probing. */
export function longInFlight(): Scenario {
  return scenario(
    'degrade SLOW_REQUEST_RATIO maxRt=1000 ratio=0.3 stat=3000 window=4s and ERROR_RATIO 0.25 stat=2000 window=2s: rt up to 9 s, 60 s',
    213,
    {
      degrade: [
        {
          resource: 'lf',
          grade: 0,
          count: 1000,
          slowRatioThreshold: 0.3,
          minRequestAmount: 2,
          statIntervalMs: 3000,
          timeWindow: 4,
        },
        { resource: 'lf2', grade: 1, count: 0.25, minRequestAmount: 4, statIntervalMs: 2000, timeWindow: 2 },
      ],
    },
    (b) => {
      b.arrivals(0, 60_000, 3, (t) =>
        b.request(t, { resource: 'lf' }, b.random() < 0.4 ? b.int(1001, 9000) : b.int(0, 1000)),
      );
      b.arrivals(0, 60_000, 4, (t) => b.request(t, { resource: 'lf2' }, b.int(0, 6000), b.random() < 0.3));
    },
    BREAKER_CYCLE,
  );
}

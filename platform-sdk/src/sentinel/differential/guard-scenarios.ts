/**
 * Scenarios for the other guards: circuit breakers through their whole cycle (including a
 * probe blocked by a second breaker and entries still in flight when a breaker opens),
 * hot-parameter rules with exception items, authority lists and system rules on inbound
 * traffic.
 */
import { BREAKER_CYCLE, QUEUED, phased, scenario, type Scenario, type ScheduleBuilder } from './scenario.js';

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

export function authority(): Scenario {
  const origins = ['appA', 'appB', 'appC', 'appD', ''];
  return scenario(
    'authority white list appA,appB on svc and black list appC on svc2 + flow QPS 10 on svc: 5 origins at 6/s each',
    121,
    {
      authority: [
        { resource: 'svc', limitApp: 'appA,appB', strategy: 0 },
        { resource: 'svc2', limitApp: 'appC', strategy: 1 },
      ],
      flow: [{ resource: 'svc', count: 10 }],
    },
    (b) => {
      for (const origin of origins) {
        for (const resource of ['svc', 'svc2']) {
          b.arrivals(0, 8000, 6, (t) => b.request(t, { resource, context: 'rpc', origin }, b.int(0, 10)));
        }
      }
    },
    [/^\d+ B authority appC$/m, /^\d+ B authority appD$/m, /^\d+ B flow /m],
  );
}

export function paramThread(): Scenario {
  return scenario(
    'param-flow THREAD count=2, item vip=5: values vip/u1/u2/u3 at 40/s, rt 0-300 ms',
    131,
    {
      paramFlow: [
        { resource: 'pt', grade: 0, paramIdx: 1, count: 2, paramFlowItemList: [{ object: 'vip', count: 5 }] },
      ],
    },
    (b) =>
      b.arrivals(0, 10_000, 40, (t) =>
        b.request(t, { resource: 'pt', args: [1, b.pick(['vip', 'u1', 'u2', 'u3'])] }, b.int(0, 300)),
      ),
    [/^\d+ B param-flow vip$/m, /^\d+ B param-flow u1$/m],
  );
}

const PARAM_VALUES = ['hot', 'a', 'b', 'c', 7, 8] as const;

export function paramFlow(): Scenario {
  return scenario(
    'param-flow QPS count=5 burst=2 duration=1s, items hot=20 and int 7=1: values hot/a/b/c/7/8 at 60-150/s',
    91,
    {
      paramFlow: [
        {
          resource: 'item',
          paramIdx: 0,
          count: 5,
          burstCount: 2,
          durationInSec: 1,
          paramFlowItemList: [
            { object: 'hot', classType: 'java.lang.String', count: 20 },
            { object: '7', classType: 'int', count: 1 },
          ],
        },
      ],
    },
    (b) =>
      phased(
        b,
        [
          [3000, 60],
          [3000, 150],
          [2500, 20],
          [3000, 110],
        ],
        (t) =>
          b.request(
            t,
            { resource: 'item', args: [b.pick(PARAM_VALUES), 'x'], count: b.random() < 0.1 ? 2 : 1 },
            b.int(0, 20),
          ),
      ),
  );
}

export function paramRateLimiter(): Scenario {
  return scenario(
    'param-flow RATE_LIMITER count=10 duration=1s maxQueueingTimeMs=300, item hot=40: values hot/a/b at 30-90/s',
    101,
    {
      paramFlow: [
        {
          resource: 'pq',
          paramIdx: -1,
          count: 10,
          controlBehavior: 2,
          maxQueueingTimeMs: 300,
          paramFlowItemList: [{ object: 'hot', count: 40 }],
        },
      ],
    },
    (b) =>
      phased(
        b,
        [
          [3000, 30],
          [3000, 90],
          [2000, 10],
        ],
        (t) => b.request(t, { resource: 'pq', args: ['req', b.pick(['hot', 'a', 'b'])] }, b.int(0, 20)),
      ),
    [QUEUED],
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

export function paramLongDuration(): Scenario {
  return scenario(
    'param-flow QPS count=4 duration=3s burst=4, items int 1=0 and z=9: values x/y/z/1/2, batch 1-5, 25/s for 20 s',
    205,
    {
      paramFlow: [
        {
          resource: 'p',
          paramIdx: 0,
          count: 4,
          durationInSec: 3,
          burstCount: 4,
          paramFlowItemList: [
            { object: '1', classType: 'int', count: 0 },
            { object: 'z', count: 9 },
          ],
        },
      ],
    },
    (b) =>
      b.arrivals(0, 20_000, 25, (t) =>
        b.request(
          t,
          { resource: 'p', args: [b.pick(['x', 'y', 'z', 1, 2])], count: b.int(1, 5) },
          b.int(0, 10),
        ),
      ),
    [/^\d+ B param-flow 1$/m],
  );
}

/** Inbound (IN) traffic on two resources and outbound traffic the system rules ignore. */
function system(name: string, seed: number, rules: Record<string, unknown>[], mustSee: RegExp[]): Scenario {
  return scenario(
    `system ${name}: IN 10/40/5/60 per s on in1+in2 with rt up to 60 then 400 ms, OUT at half that`,
    seed,
    { system: rules },
    (b) =>
      phased(
        b,
        [
          [3000, 10],
          [4000, 40],
          [3000, 5],
          [4000, 60],
        ],
        (t, phase) => {
          b.request(t, { resource: b.pick(['in1', 'in2']), type: 'IN' }, b.int(0, phase >= 2 ? 400 : 60));
          if (b.random() < 0.5) b.request(t, { resource: 'out1' }, b.int(0, 100));
        },
      ),
    mustSee,
  );
}

export function systemScenarios(): Scenario[] {
  return [
    system('qps=25', 301, [{ qps: 25 }], [/ B system qps$/m]),
    system('maxThread=6', 302, [{ maxThread: 6 }], [/ B system thread$/m]),
    system('avgRt=80', 303, [{ avgRt: 80 }], [/ B system rt$/m]),
    system(
      'qps=30 + maxThread=8 + avgRt=150',
      304,
      [{ qps: 30 }, { maxThread: 8 }, { avgRt: 150 }],
      [/ B system qps$/m, / B system rt$/m],
    ),
  ];
}

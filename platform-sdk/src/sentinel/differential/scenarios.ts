/**
 * The differential scenarios: each rule kind at the settings where Java's arithmetic has
 * edges (integer truncation, the warm-up slope, queueing spacing, breaker probes), under
 * seeded traffic that crosses its threshold both ways. Each name says the rule and the
 * schedule.
 */
import { scenario, type Scenario, type ScheduleBuilder } from './scenario.js';

/** A queueing rule made some request wait. */
const QUEUED = /^\d+ P [1-9]/m;
/** A breaker went through its whole cycle: opened, probed, re-opened on a bad probe, closed. */
const BREAKER_CYCLE = [
  / 0 CLOSED OPEN$/m,
  / 0 OPEN HALF_OPEN$/m,
  / 0 HALF_OPEN OPEN$/m,
  / 0 HALF_OPEN CLOSED$/m,
];

/** Traffic phases: [duration ms, requests per second]. */
type Phases = readonly (readonly [number, number])[];

function phased(b: ScheduleBuilder, phases: Phases, make: (t: number, phase: number) => void): void {
  let from = 0;
  phases.forEach(([duration, rate], i) => {
    b.arrivals(from, from + duration, rate, (t) => make(t, i));
    from += duration;
  });
}

function qpsReject(count: number, seed: number): Scenario {
  const mult = [0.5, 1.2, 3, 0.8, 2, 0.3, 1.5, 4, 0.9];
  // Small thresholds get longer phases, so every scenario has a few hundred requests.
  const phaseMs = count < 20 ? 8000 : 1300;
  return scenario(
    `flow QPS reject count=${count}: 9 phases of ${phaseMs} ms at ${mult.join('/')} x count, batch 1-2`,
    seed,
    { flow: [{ resource: 'qps', count }] },
    (b) =>
      phased(
        b,
        mult.map((m) => [phaseMs, m * count] as const),
        (t) => b.request(t, { resource: 'qps', count: b.random() < 0.2 ? 2 : 1 }, b.int(0, 30)),
      ),
  );
}

function threadGrade(): Scenario {
  return scenario(
    'flow THREAD count=3: 25/s for 16 s, rt 0-400 ms',
    11,
    { flow: [{ resource: 'thread', grade: 0, count: 3 }] },
    (b) => b.arrivals(0, 16_000, 25, (t) => b.request(t, { resource: 'thread' }, b.int(0, 400))),
  );
}

function warmUpOdd(): Scenario {
  // count * period not a multiple of coldFactor - 1: Java's integer divisions show.
  const phases: Phases = [
    [2000, 1],
    [12_000, 14],
    [7000, 0.5],
    [6000, 11],
  ];
  return scenario(
    'flow WARM_UP count=7 warmUpPeriodSec=3 coldFactor=3: 1/s, 14/s x 12 s, 0.5/s x 7 s, 11/s; batch 1-3',
    23,
    { flow: [{ resource: 'warm7', count: 7, controlBehavior: 1, warmUpPeriodSec: 3 }] },
    (b) =>
      phased(b, phases, (t) =>
        b.request(t, { resource: 'warm7', count: b.random() < 0.2 ? b.int(2, 3) : 1 }, b.int(0, 20)),
      ),
  );
}

/** Java really sleeps here (see SentinelDiff), so this one is kept short and shallow. */
function warmUpRateLimiter(): Scenario {
  const phases: Phases = [
    [2000, 4],
    [8000, 30],
    [3000, 2],
  ];
  return scenario(
    'flow WARM_UP_RATE_LIMITER count=20 warmUpPeriodSec=4 maxQueueingTimeMs=60: 4/s, 30/s x 8 s, 2/s',
    25,
    { flow: [{ resource: 'wrl', count: 20, controlBehavior: 3, warmUpPeriodSec: 4, maxQueueingTimeMs: 60 }] },
    (b) => phased(b, phases, (t) => b.request(t, { resource: 'wrl' }, b.int(0, 20))),
    [QUEUED],
  );
}

function warmUp(): Scenario {
  // Cold, a long overload that climbs the whole slope, a quiet spell that refills the bucket,
  // then overload again.
  const phases: Phases = [
    [3000, 5],
    [14_000, 80],
    [9000, 2],
    [8000, 60],
    [4000, 30],
  ];
  return scenario(
    'flow WARM_UP count=40 warmUpPeriodSec=5 coldFactor=3: 5/s, 80/s x 14 s, 2/s x 9 s, 60/s, 30/s',
    21,
    { flow: [{ resource: 'warm', count: 40, controlBehavior: 1, warmUpPeriodSec: 5 }] },
    (b) => phased(b, phases, (t) => b.request(t, { resource: 'warm' }, b.int(0, 20))),
  );
}

function rateLimiter(count: number, maxQueueingTimeMs: number, seed: number): Scenario {
  const phases: Phases = [
    [2000, count * 0.5],
    [3000, count * 1.5],
    [1500, count * 4],
    [2000, count * 0.2],
    [2500, count * 2.5],
  ];
  return scenario(
    `flow RATE_LIMITER count=${count} maxQueueingTimeMs=${maxQueueingTimeMs}: 0.5/1.5/4/0.2/2.5 x count, bursts of 8, batch 1-3`,
    seed,
    { flow: [{ resource: 'queue', count, controlBehavior: 2, maxQueueingTimeMs }] },
    (b) =>
      phased(b, phases, (t) => {
        const n = b.random() < 0.05 ? 8 : 1;
        for (let i = 0; i < n; i++) {
          b.request(t, { resource: 'queue', count: b.random() < 0.15 ? b.int(2, 3) : 1 }, b.int(0, 10));
        }
      }),
    [QUEUED],
  );
}

function relate(): Scenario {
  const reads: Phases = [
    [2000, 0],
    [3000, 8],
    [3000, 30],
    [3000, 12],
    [3000, 45],
  ];
  return scenario(
    'flow RELATE write limited by read count=15: writes 20/s; reads 0/8/30/12/45 per s',
    31,
    { flow: [{ resource: 'write', strategy: 1, refResource: 'read', count: 15 }] },
    (b) => {
      b.arrivals(0, 14_000, 20, (t) => b.request(t, { resource: 'write' }, b.int(0, 15)));
      phased(b, reads, (t) => b.request(t, { resource: 'read' }, b.int(0, 15)));
    },
  );
}

function chain(): Scenario {
  return scenario(
    'flow CHAIN dao via context ctx-order count=8: ctx-order 4-20/s, ctx-user 15/s',
    41,
    { flow: [{ resource: 'dao', strategy: 2, refResource: 'ctx-order', count: 8 }] },
    (b) => {
      phased(
        b,
        [
          [3000, 4],
          [4000, 20],
          [3000, 9],
          [3000, 16],
        ],
        (t) => b.request(t, { resource: 'dao', context: 'ctx-order' }, b.int(0, 10)),
      );
      b.arrivals(0, 13_000, 15, (t) => b.request(t, { resource: 'dao', context: 'ctx-user' }, b.int(0, 10)));
    },
  );
}

function limitApp(): Scenario {
  const origins = ['appA', 'appB', 'appC', ''];
  return scenario(
    'flow limitApp appA=6 / other=4 / default=15 on api: origins appA, appB, appC and none, 4-14/s each',
    51,
    {
      flow: [
        { resource: 'api', limitApp: 'appA', count: 6 },
        { resource: 'api', limitApp: 'other', count: 4 },
        { resource: 'api', limitApp: 'default', count: 15 },
      ],
    },
    (b) => {
      for (const origin of origins) {
        phased(
          b,
          [
            [3000, b.int(4, 14)],
            [3000, b.int(4, 14)],
            [3000, b.int(4, 14)],
          ],
          (t) => b.request(t, { resource: 'api', context: 'web', origin }, b.int(0, 10)),
        );
      }
    },
  );
}

/** Degrade scenarios: phases of [duration, rate, probability of a bad request]. */
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

function slowRatio(): Scenario {
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

function errorRatio(): Scenario {
  return breaker(
    'degrade ERROR_RATIO 0.4 min=6 stat=1000 window=1s: error share 0.1/0.8/0.3/0.9/0.05/0.6/0',
    71,
    { grade: 1, count: 0.4, minRequestAmount: 6, statIntervalMs: 1000, timeWindow: 1 },
    BREAKER_PHASES,
    (b, t, error) => b.request(t, { resource: 'cb' }, b.int(0, 200), error),
  );
}

function errorCount(): Scenario {
  return breaker(
    'degrade ERROR_COUNT 4 min=3 stat=2000 window=2s: error share 0.1/0.8/0.3/0.9/0.05/0.6/0',
    81,
    { grade: 2, count: 4, minRequestAmount: 3, statIntervalMs: 2000, timeWindow: 2 },
    BREAKER_PHASES,
    (b, t, error) => b.request(t, { resource: 'cb' }, b.int(0, 300), error),
  );
}

function flowAndBreaker(): Scenario {
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
    [/ 0 CLOSED OPEN$/m, / 1 CLOSED OPEN$/m, /^\d+ B flow /m, /^\d+ B degrade /m],
  );
}

function authority(): Scenario {
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

function paramThread(): Scenario {
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

function paramFlow(): Scenario {
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

function paramRateLimiter(): Scenario {
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

export function differentialScenarios(): Scenario[] {
  return [
    qpsReject(1, 1),
    qpsReject(5, 2),
    qpsReject(20, 3),
    qpsReject(100, 4),
    qpsReject(2.5, 7),
    threadGrade(),
    warmUp(),
    warmUpOdd(),
    warmUpRateLimiter(),
    rateLimiter(20, 500, 5),
    rateLimiter(100, 200, 6),
    relate(),
    chain(),
    limitApp(),
    slowRatio(),
    errorRatio(),
    errorCount(),
    paramFlow(),
    paramRateLimiter(),
    paramThread(),
    flowAndBreaker(),
    authority(),
  ];
}

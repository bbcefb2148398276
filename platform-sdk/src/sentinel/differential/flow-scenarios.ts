/**
 * Flow-rule scenarios: each grade, strategy, limitApp and control behaviour at the settings
 * where Java's arithmetic has edges (int truncation of QPS, the warm-up slope and its integer
 * token counts, queueing spacing, batch counts above the threshold), under seeded traffic that
 * crosses the threshold both ways.
 */
import { QUEUED, phased, scenario, type Phases, type Scenario } from './scenario.js';

export function qpsReject(count: number, seed: number): Scenario {
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

export function threadGrade(): Scenario {
  return scenario(
    'flow THREAD count=3: 25/s for 16 s, rt 0-400 ms',
    11,
    { flow: [{ resource: 'thread', grade: 0, count: 3 }] },
    (b) => b.arrivals(0, 16_000, 25, (t) => b.request(t, { resource: 'thread' }, b.int(0, 400))),
  );
}

export function warmUpOdd(): Scenario {
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

/** Java really sleeps out this controller's waits (see SentinelDiff), so it is kept short and shallow. */
export function warmUpRateLimiter(): Scenario {
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

export function warmUp(): Scenario {
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

export function rateLimiter(count: number, maxQueueingTimeMs: number, seed: number): Scenario {
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

export function relate(): Scenario {
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

export function chain(): Scenario {
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

export function limitApp(): Scenario {
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

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

/** Idle gaps past the 60 s minute window and an hour: stale buckets and the warm-up refill. */
export function idleGaps(): Scenario {
  const gaps = [0, 61_000, 500, 1000, 59_999, 120_000, 2000, 60_000, 3_600_000];
  return scenario(
    'flow QPS 10 and WARM_UP 30/4 s across idle gaps of 61 s, 0.5 s, 1 s, 59.999 s, 2 min, 2 s, 60 s, 1 h: 50/s bursts of 4 s',
    201,
    {
      flow: [
        { resource: 'g', count: 10 },
        { resource: 'w', count: 30, controlBehavior: 1, warmUpPeriodSec: 4 },
      ],
    },
    (b) => {
      let t = 0;
      for (const gap of gaps) {
        t += gap;
        b.arrivals(t, t + 4000, 50, (x) => {
          b.request(x, { resource: 'g' }, b.int(0, 5));
          b.request(x, { resource: 'w' }, b.int(0, 5));
        });
        t += 4000;
      }
    },
  );
}

/** Clusters of requests 1 ms either side of every 500 ms bucket edge. */
export function bucketEdges(): Scenario {
  return scenario(
    'flow QPS 7 (batch 1-2) and WARM_UP 9/2 s: bursts of 1-6 requests within 1 ms of each bucket edge for 30 s',
    202,
    {
      flow: [
        { resource: 'q', count: 7 },
        { resource: 'wq', count: 9, controlBehavior: 1, warmUpPeriodSec: 2 },
      ],
    },
    (b) => {
      for (let k = 1; k < 60; k++) {
        // START_MS ends in 337, so k * 500 - 337 is an absolute multiple of 500.
        const edge = k * 500 - 337 + (k % 3) - 1;
        const n = b.int(1, 6);
        for (let j = 0; j < n; j++) {
          const t = edge + b.int(-1, 1);
          b.request(t, { resource: 'q', count: b.int(1, 2) }, b.int(0, 3));
          b.request(t, { resource: 'wq' }, 0);
        }
      }
    },
  );
}

export function threadByOrigin(): Scenario {
  return scenario(
    'flow THREAD limitApp appA=2 / other=1 / default=4: origins appA, appB and none at 12/s, rt 0-500 ms',
    206,
    {
      flow: [
        { resource: 't', grade: 0, count: 2, limitApp: 'appA' },
        { resource: 't', grade: 0, count: 1, limitApp: 'other' },
        { resource: 't', grade: 0, count: 4 },
      ],
    },
    (b) => {
      for (const origin of ['appA', 'appB', '']) {
        b.arrivals(0, 10_000, 12, (t) =>
          b.request(t, { resource: 't', context: 'c', origin }, b.int(0, 500)),
        );
      }
    },
  );
}

export function relateChainThread(): Scenario {
  return scenario(
    'flow THREAD RELATE a by b count=2, THREAD CHAIN b via ctx1 count=1, QPS RELATE c by a never-entered resource',
    207,
    {
      flow: [
        { resource: 'a', grade: 0, strategy: 1, refResource: 'b', count: 2 },
        { resource: 'b', grade: 0, strategy: 2, refResource: 'ctx1', count: 1 },
        { resource: 'c', strategy: 1, refResource: 'never', count: 0 },
      ],
    },
    (b) => {
      b.arrivals(0, 10_000, 20, (t) => b.request(t, { resource: 'a' }, b.int(0, 300)));
      b.arrivals(0, 10_000, 10, (t) =>
        b.request(t, { resource: 'b', context: b.pick(['ctx1', 'ctx2']) }, b.int(0, 400)),
      );
      b.arrivals(0, 10_000, 5, (t) => b.request(t, { resource: 'c' }, 1));
    },
  );
}

export function batchOverCount(): Scenario {
  return scenario(
    'flow WARM_UP 10/10 s with batch 1-12 and RATE_LIMITER 5 maxQueueingTimeMs=1500 with batch 1-8, for 30 s',
    214,
    {
      flow: [
        { resource: 'wb', count: 10, controlBehavior: 1, warmUpPeriodSec: 10 },
        { resource: 'rb', count: 5, controlBehavior: 2, maxQueueingTimeMs: 1500 },
      ],
    },
    (b) => {
      b.arrivals(0, 30_000, 8, (t) => b.request(t, { resource: 'wb', count: b.int(1, 12) }, 1));
      b.arrivals(0, 30_000, 3, (t) => b.request(t, { resource: 'rb', count: b.int(1, 8) }, 1));
    },
    [QUEUED],
  );
}

export function originShaping(): Scenario {
  return scenario(
    'flow on m: WARM_UP 10/3 s for appA, RATE_LIMITER 5 (400 ms) for other, QPS 25 default: appA 18/s, appB and appC 6/s',
    212,
    {
      flow: [
        { resource: 'm', limitApp: 'appA', count: 10, controlBehavior: 1, warmUpPeriodSec: 3 },
        { resource: 'm', limitApp: 'other', count: 5, controlBehavior: 2, maxQueueingTimeMs: 400 },
        { resource: 'm', count: 25 },
      ],
    },
    (b) => {
      for (const origin of ['appA', 'appB', 'appC']) {
        b.arrivals(0, 15_000, origin === 'appA' ? 18 : 6, (t) =>
          b.request(t, { resource: 'm', context: 'ctx', origin }, b.int(0, 10)),
        );
      }
    },
    [QUEUED],
  );
}

/**
 * Cluster rules with no token server fall back to a local check or pass; a regex rule
 * (full match) and a plain rule both apply to user-1.
 */
export function clusterAndRegex(): Scenario {
  const cc = { flowId: 7, thresholdType: 0 };
  return scenario(
    'flow cluster QPS 5 with/without fallback, regex user-.* 3 + user-1 6; param-flow cluster with/without fallback',
    211,
    {
      flow: [
        {
          resource: 'cl1',
          count: 5,
          clusterMode: true,
          clusterConfig: { ...cc, fallbackToLocalWhenFail: true },
        },
        {
          resource: 'cl2',
          count: 5,
          clusterMode: true,
          clusterConfig: { ...cc, flowId: 8, fallbackToLocalWhenFail: false },
        },
        { resource: 'user-.*', regex: true, count: 3 },
        { resource: 'user-1', count: 6 },
      ],
      paramFlow: [
        {
          resource: 'cp',
          paramIdx: 0,
          count: 2,
          clusterMode: true,
          clusterConfig: { flowId: 9, fallbackToLocalWhenFail: true },
        },
        {
          resource: 'cp2',
          paramIdx: 0,
          count: 2,
          clusterMode: true,
          clusterConfig: { flowId: 10, fallbackToLocalWhenFail: false },
        },
      ],
    },
    (b) => {
      for (const resource of ['cl1', 'cl2', 'user-1', 'user-2', 'xuser-1', 'cp', 'cp2']) {
        b.arrivals(0, 8000, 12, (t) => b.request(t, { resource, args: [b.pick(['a', 'b'])] }, b.int(0, 5)));
      }
    },
  );
}

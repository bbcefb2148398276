/**
 * Flow-rule scenarios at the engine's edges: idle gaps past the minute window, requests on
 * bucket boundaries, concurrency by origin and through RELATE/CHAIN, batch counts above the
 * threshold (and of zero), shaping per origin, cluster rules without a token server, regex
 * resources, and cold factors other than 3.
 */
import { QUEUED, scenario, type Scenario } from './scenario.js';

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

/** Warm-up and warm-up queueing under a cold factor set as Java's csp.sentinel.flow.cold.factor. */
export function warmUpColdFactor(coldFactor: number, seed: number): Scenario {
  const s = scenario(
    `flow WARM_UP 50/6 s and WARM_UP_RATE_LIMITER 40/2 s (40 ms) with coldFactor=${coldFactor}: 90/s x 15 s, 2/s x 10 s, 70/s x 10 s`,
    seed,
    {
      flow: [
        { resource: 'w', count: 50, controlBehavior: 1, warmUpPeriodSec: 6 },
        { resource: 'wr', count: 40, controlBehavior: 3, warmUpPeriodSec: 2, maxQueueingTimeMs: 40 },
      ],
    },
    (b) => {
      b.arrivals(0, 15_000, 90, (t) => b.request(t, { resource: 'w' }, 1));
      b.arrivals(15_000, 25_000, 2, (t) => b.request(t, { resource: 'w' }, 1));
      b.arrivals(25_000, 35_000, 70, (t) => b.request(t, { resource: 'w' }, 1));
      b.arrivals(0, 6000, 30, (t) => b.request(t, { resource: 'wr' }, 1));
    },
    [QUEUED],
  );
  return { ...s, coldFactor };
}

/** A batch count of 0 passes every controller without taking anything. */
export function batchZero(): Scenario {
  return scenario(
    'flow QPS 2 and RATE_LIMITER 10 (100 ms) with batch counts 0-2 at 20/s',
    505,
    {
      flow: [
        { resource: 'z', count: 2 },
        { resource: 'zr', count: 10, controlBehavior: 2, maxQueueingTimeMs: 100 },
      ],
    },
    (b) =>
      b.arrivals(0, 4000, 20, (t) => b.request(t, { resource: b.pick(['z', 'zr']), count: b.int(0, 2) }, 1)),
    [/^\d+ P 0$/m],
  );
}

/** The dashboard's per-second figures (pass/block/success/exception/average rt), read now and then. */
export function secondMetrics(): Scenario {
  return scenario(
    'metrics of a QPS 12 resource under 20/s with 20% errors and rt up to 700 ms, read every 0.7-9 s for 95 s',
    701,
    { flow: [{ resource: 'm', count: 12 }] },
    (b) => {
      b.arrivals(0, 90_000, 20, (t) => b.request(t, { resource: 'm' }, b.int(0, 700), b.random() < 0.2));
      for (let t = 500; t < 95_000; t += b.int(700, 9000)) b.metrics(t, 'm');
      b.metrics(95_000, 'never-entered');
    },
    [/ M \d+:\d+\/\d+\/\d+\/[1-9]/m],
  );
}

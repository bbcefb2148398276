/**
 * Hot-parameter, authority and system-rule scenarios: token buckets with burst and exception
 * items (string and int), queueing and concurrency per value, collection and null arguments,
 * white and black lists (with the exact-match rule for comma lists), and system limits on
 * inbound traffic.
 */
import { QUEUED, phased, scenario, type Scenario } from './scenario.js';

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

export function authorityLists(): Scenario {
  const origins = ['appA', 'appB', 'app', 'appAA', 'xapp', 'pp', 'appA,'];
  return scenario(
    'authority white list "appA, appB" (with a space) and black list "appAA,xapp": origins that are substrings, prefixes, with commas',
    503,
    {
      authority: [
        { resource: 'a1', limitApp: 'appA, appB', strategy: 0 },
        { resource: 'a2', limitApp: 'appAA,xapp', strategy: 1 },
      ],
    },
    (b) => {
      for (const origin of origins) {
        for (const resource of ['a1', 'a2']) {
          b.arrivals(0, 3000, 3, (t) => b.request(t, { resource, context: 'c', origin }, 1));
        }
      }
    },
  );
}

export function paramCollections(): Scenario {
  const firsts: (string | string[])[] = [['a', 'b'], ['a'], ['v', 'c'], 'a', 'b'];
  const pairs: (string | null)[][] = [['x', 'ok'], ['x', 'no'], ['x'], ['x', null]];
  return scenario(
    'param-flow on collection arguments (item v=0) and a count-0 rule with item ok=4 on a missing/null second argument',
    504,
    {
      paramFlow: [
        { resource: 'pc', paramIdx: 0, count: 3, paramFlowItemList: [{ object: 'v', count: 0 }] },
        { resource: 'pz', paramIdx: 1, count: 0, paramFlowItemList: [{ object: 'ok', count: 4 }] },
      ],
    },
    (b) => {
      b.arrivals(0, 5000, 30, (t) => b.request(t, { resource: 'pc', args: [b.pick(firsts)] }, 1));
      b.arrivals(0, 5000, 20, (t) => b.request(t, { resource: 'pz', args: b.pick(pairs) }, 1));
    },
    [/ B param-flow \[v, c\]$/m, / B param-flow no$/m],
  );
}

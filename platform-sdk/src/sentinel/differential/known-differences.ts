/**
 * Where Silk deliberately differs from Java Sentinel 1.8.9, pinned so the difference stays
 * written down: the test asserts these exact lines differ, and nothing else.
 *
 * Rule validation: Silk rejects (with a reason) a strategy code Java does not know (3) or a
 * hot-parameter grade it does not know (5); Java loads those rules but they never apply, so
 * the verdicts agree. Rules Java loads and does enforce, Silk loads too (formerDifferences).
 */
import { scenario, type Scenario } from './scenario.js';

export interface KnownDifference {
  scenario: Scenario;
  /**
   * The lines that differ, without their event index, counted: `2 x B flow default` means two
   * lines differ where this side printed `<i> B flow default`.
   */
  java: string[];
  silk: string[];
  why: string;
}

/** Counts the differing lines of one side by their text without the event index. */
export function summarizeDifferences(mine: readonly string[], theirs: readonly string[]): string[] {
  const counts = new Map<string, number>();
  mine.forEach((line, i) => {
    if (line === theirs[i]) return;
    const text = line.replace(/^\d+ /, '');
    counts.set(text, (counts.get(text) ?? 0) + 1);
  });
  return [...counts].map(([text, n]) => `${n} x ${text}`);
}

/** Three requests 10 ms apart on `resource`, the hot argument 'x'. */
function threeRequests(resource: string): Scenario['events'] {
  return scenario('', 0, {}, (b) => {
    for (let i = 0; i < 3; i++) b.request(i * 10, { resource, args: ['x'] }, 1);
  }).events;
}

export function knownDifferences(): KnownDifference[] {
  return [reloadKeepsWarmUp()];
}

/** Three requests at count 1 under a rule Silk once rejected and Java enforces. */
function enforced(name: string, rules: Scenario['rules'], resource: string, block: RegExp): Scenario {
  return { ...scenario(name, 0, rules, () => {}, [block]), events: threeRequests(resource) };
}

/**
 * Rules Silk used to reject while Java loads and enforces them; Silk now loads them as Java
 * does, and these scenarios hold the two sides to the same verdicts.
 */
export function formerDifferences(): Scenario[] {
  return [
    // FlowRuleUtil.generateRater falls back to a DefaultController for an unknown code.
    enforced(
      'flow rule with controlBehavior 4 (unknown), count 1: the default controller limits it',
      { flow: [{ resource: 'v6', count: 1, controlBehavior: 4 }] },
      'v6',
      /B flow default/,
    ),
    // ParamFlowChecker uses the token bucket for anything but RATE_LIMITER.
    enforced(
      'param-flow rule with controlBehavior 1 (warm-up), count 1: limited by the token bucket',
      { paramFlow: [{ resource: 'p2', paramIdx: 0, count: 1, controlBehavior: 1 }] },
      'p2',
      /B param-flow x/,
    ),
    // ParamFlowRuleUtil.parseHotItems logs and skips an item that does not parse.
    enforced(
      'param-flow rule whose exception item does not parse ("x" as int): the rule stays, the item goes',
      {
        paramFlow: [
          {
            resource: 'p5',
            paramIdx: 0,
            count: 1,
            paramFlowItemList: [{ object: 'x', classType: 'int', count: 5 }],
          },
        ],
      },
      'p5',
      /B param-flow x/,
    ),
  ];
}

/**
 * Java rebuilds every flow controller whenever the pushed list differs from the last one, so
 * editing one rule sends an unchanged warm-up rule back to cold; Silk keeps the controller of
 * an unchanged rule (flow/rule-manager.ts says so). A warm rule (10 QPS, 5 s) under 12.5/s is
 * pushed again beside an edited rule: Java admits 5 a second for the next two seconds, Silk 10.
 */
function reloadKeepsWarmUp(): KnownDifference {
  const warm = { resource: 'w', count: 10, controlBehavior: 1, warmUpPeriodSec: 5 };
  return {
    scenario: scenario(
      'flow rules pushed again with one edited: the unchanged WARM_UP rule keeps its warmth in Silk only',
      0,
      { flow: [warm, { resource: 'q', count: 5 }] },
      (b) => {
        for (let t = 0; t < 14_000; t += 80) b.request(t, { resource: 'w' }, 1);
        b.load(12_050, { flow: [warm, { resource: 'q', count: 6 }] });
      },
      [],
    ),
    java: ['10 x B flow default', '10 x -'],
    silk: ['10 x P 0', '10 x X'],
    why:
      'FlowRuleUtil.buildFlowRuleMap calls generateRater for every rule on each load, so a new ' +
      'WarmUpController starts from a full bucket (cold); Silk reuses the controller of an unchanged rule',
  };
}

/**
 * Rules both sides load or both reject: a THREAD rule with RELATE and no refResource, a blank
 * limitApp, a THREAD rule with a warm-up behaviour (loaded); negative count, blank resource,
 * warm-up without a period, queueing without a timeout, breakers with no window, a ratio above
 * 1, no minimum, no interval, hot-parameter rules without paramIdx or with a zero duration
 * (rejected).
 */
export function validationParity(): Scenario {
  const flow = [
    { resource: 'v1', grade: 0, strategy: 1, count: 1 },
    { resource: 'v2', count: 1, controlBehavior: 1, warmUpPeriodSec: 0 },
    { resource: 'v3', count: 1, controlBehavior: 2, maxQueueingTimeMs: 0 },
    { resource: 'v7', count: -1 },
    { resource: '', count: 1 },
    { resource: 'v9', count: 1, limitApp: '' },
    { resource: 'v10', count: 1, grade: 0, controlBehavior: 1 },
  ];
  const degrade = [
    { resource: 'd1', grade: 0, count: 10, timeWindow: 0 },
    { resource: 'd2', grade: 1, count: 1.5, timeWindow: 1 },
    { resource: 'd3', grade: 2, count: 1, timeWindow: 1, minRequestAmount: 0 },
    { resource: 'd4', grade: 0, count: 10, timeWindow: 1, slowRatioThreshold: 1.5 },
    { resource: 'd6', grade: 0, count: 10, timeWindow: 1, statIntervalMs: 0 },
    { resource: 'd7', grade: 2, count: 0, timeWindow: 1, minRequestAmount: 1 },
  ];
  const paramFlow = [
    { resource: 'p1', count: 1 },
    { resource: 'p3', paramIdx: 0, count: 1, durationInSec: 0 },
    { resource: 'p6', paramIdx: 0, count: 1 },
  ];
  const resources = [...flow, ...degrade, ...paramFlow].map((r) => r.resource).filter((r) => r !== '');
  return scenario(
    'rule validation: 7 flow, 6 degrade, 3 param-flow rules at their limits; 3 failing requests each',
    401,
    { flow, degrade, paramFlow },
    (b) => {
      for (const resource of resources) {
        for (let i = 0; i < 3; i++) b.request(i * 10, { resource, args: ['x'] }, 1, true);
      }
    },
    [/^R flow 3$/m, /^R degrade 1$/m, /^R paramFlow 1$/m, / d7\/2 CLOSED OPEN$/m],
  );
}

/**
 * Where Silk deliberately differs from Java Sentinel 1.8.9, pinned so the difference stays
 * written down: the test asserts these exact lines differ, and nothing else.
 *
 * Silk rejects (with a reason) rules that Java loads without complaint. For a strategy code
 * Java does not know (3) or a hot-parameter grade it does not know (5) that changes nothing —
 * Java loads the rule but it never applies. For the three below Java does enforce the rule,
 * so a Java service limits traffic that a Silk service, having rejected the rule, lets through.
 */
import { scenario, type Scenario } from './scenario.js';

export interface KnownDifference {
  scenario: Scenario;
  /** The lines that differ, as Java and Silk print them, and why. */
  java: string[];
  silk: string[];
  why: string;
}

/** Three requests 10 ms apart on `resource`, the hot argument 'x'. */
function threeRequests(resource: string): Scenario['events'] {
  return scenario('', 0, {}, (b) => {
    for (let i = 0; i < 3; i++) b.request(i * 10, { resource, args: ['x'] }, 1);
  }).events;
}

function difference(
  name: string,
  rules: Scenario['rules'],
  resource: string,
  java: string[],
  silk: string[],
  why: string,
): KnownDifference {
  return {
    scenario: { ...scenario(name, 0, rules, () => {}, []), events: threeRequests(resource) },
    java,
    silk,
    why,
  };
}

export function knownDifferences(): KnownDifference[] {
  return [
    difference(
      'flow rule with controlBehavior 4 (unknown), count 1',
      { flow: [{ resource: 'v6', count: 1, controlBehavior: 4 }] },
      'v6',
      ['R flow 1', '2 B flow default', '3 -', '4 B flow default', '5 -'],
      ['R flow 0', '2 P 0', '3 X', '4 P 0', '5 X'],
      'FlowRuleUtil.checkControlBehaviorField returns true for an unknown code and generateRater ' +
        'falls back to a DefaultController, so Java rejects above count; Silk rejects the rule instead',
    ),
    difference(
      'param-flow rule with controlBehavior 1 (warm-up, not a hot-parameter behaviour), count 1',
      { paramFlow: [{ resource: 'p2', paramIdx: 0, count: 1, controlBehavior: 1 }] },
      'p2',
      ['R paramFlow 1', '2 B param-flow x', '3 -', '4 B param-flow x', '5 -'],
      ['R paramFlow 0', '2 P 0', '3 X', '4 P 0', '5 X'],
      'ParamFlowRuleUtil.isValidRule only asks controlBehavior >= 0 and ParamFlowChecker uses the ' +
        'token bucket for anything but RATE_LIMITER; Silk rejects the rule',
    ),
    difference(
      'param-flow rule whose exception item does not parse ("x" as int), count 1',
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
      ['R paramFlow 1', '2 B param-flow x', '3 -', '4 B param-flow x', '5 -'],
      ['R paramFlow 0', '2 P 0', '3 X', '4 P 0', '5 X'],
      'ParamFlowRuleUtil.parseHotItems logs and skips an item that does not parse and keeps the ' +
        'rule; Silk rejects the whole rule',
    ),
  ];
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

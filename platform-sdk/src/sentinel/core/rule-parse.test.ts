import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { createSentinel } from '../sentinel.js';
import { parseRules, type RuleReader } from './rule-parse.js';

describe('parseRules', () => {
  const parseOne = (r: RuleReader) => r.base();

  it('rejects every malformed element alone and never throws', () => {
    const junk = [
      null,
      1,
      'x',
      [],
      [1],
      true,
      {},
      { resource: 5 },
      { resource: 'r', id: 1.5 },
      { resource: 'r' },
    ];
    const { ok, rules, rejected } = parseRules('flow', junk, parseOne);
    expect(ok).toBe(true);
    expect(rules).toEqual([{ id: undefined, resource: 'r', limitApp: 'default', regex: false }]);
    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps limitApp as written, defaulting a blank one, and rejects a regex that does not compile', () => {
    const { rules, rejected } = parseRules(
      'flow',
      [
        { resource: 'a', limitApp: 'appA' },
        { resource: 'b', limitApp: '  ' },
        { resource: '[', regex: true },
      ],
      parseOne,
    );
    expect(rules.map((r) => r.limitApp)).toEqual(['appA', 'default']);
    expect(rejected.map((r) => r.index)).toEqual([2]);
  });

  it('rejects whole documents that are not a JSON array, without a rule index', () => {
    for (const text of ['nope', '{}', '"[]"', '[1,']) {
      const { ok, rejected } = parseRules('flow', text, parseOne);
      expect(ok).toBe(false);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.index).toBe(-1);
    }
  });
});

describe('rules as Java Sentinel and its dashboard write them', () => {
  it('load with their extra fields ignored', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const flow = `[{"app":"orders","clusterConfig":{"fallbackToLocalWhenFail":true,"flowId":null,"sampleCount":10,
      "strategy":0,"thresholdType":0,"windowIntervalMs":1000},"clusterMode":false,"controlBehavior":0,"count":20.0,
      "gmtCreate":1700000000000,"grade":1,"id":3,"ip":"10.0.0.7","limitApp":"default","maxQueueingTimeMs":500,
      "port":8720,"resource":"GET:/orders","strategy":0,"warmUpPeriodSec":10}]`;
    const degrade = `[{"resource":"abc","count":20.0,"grade":0,"passCount":0,"timeWindow":10}]`;
    const system = `[{"avgRt":10,"highestSystemLoad":5.0,"maxThread":10,"qps":20.0}]`;
    const param = `[{"resource":"getUser","paramIdx":0,"count":5,"grade":1,"durationInSec":1,"burstCount":0,
      "controlBehavior":0,"maxQueueingTimeMs":0,"clusterMode":false,"limitApp":"default","parsedHotItems":{},
      "paramFlowItemList":[{"classType":"int","count":10,"object":"1"}]}]`;
    const authority = `[{"resource":"abc","limitApp":"appA,appB","strategy":1}]`;
    expect(sentinel.flowRules.loadRules(flow).rejected).toEqual([]);
    expect(sentinel.degradeRules.loadRules(degrade).rejected).toEqual([]);
    expect(sentinel.systemRules.loadRules(system).rejected).toEqual([]);
    expect(sentinel.paramFlowRules.loadRules(param).rejected).toEqual([]);
    expect(sentinel.authorityRules.loadRules(authority).rejected).toEqual([]);
    expect(sentinel.degradeRules.getRules()[0]).toEqual(
      expect.objectContaining({ minRequestAmount: 5, slowRatioThreshold: 1, statIntervalMs: 1000 }),
    );
  });
});

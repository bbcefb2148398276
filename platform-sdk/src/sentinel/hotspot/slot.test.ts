import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createSentinel, type Sentinel } from '../sentinel.js';

function setup(rules: unknown[]) {
  const clock = new ManualClock(1_000_000);
  const sentinel = createSentinel({ clock });
  const result = sentinel.paramFlowRules.loadRules(rules);
  expect(result.rejected).toEqual([]);
  return { sentinel, clock };
}

/** Enters with `args`, exits at once; 'pass', the wait, or the blocked value. */
function call(sentinel: Sentinel, ...args: unknown[]): string | number {
  const r = sentinel.entry('r', { args });
  if (r.blocked) return `blocked:${r.kind}:${r.detail}`;
  r.exit();
  return r.waitMs > 0 ? r.waitMs : 'pass';
}

describe('hot-parameter rules, QPS', () => {
  it('limit each value of the argument separately', () => {
    const { sentinel, clock } = setup([{ resource: 'r', paramIdx: 0, count: 2 }]);
    expect([call(sentinel, 'a'), call(sentinel, 'a'), call(sentinel, 'a')]).toEqual([
      'pass',
      'pass',
      'blocked:param-flow:a',
    ]);
    expect(call(sentinel, 'b')).toBe('pass');
    clock.advance(1001);
    expect(call(sentinel, 'a')).toBe('pass');
  });

  it('allow burstCount on top of count, refilled over durationInSec', () => {
    const { sentinel, clock } = setup([
      { resource: 'r', paramIdx: 0, count: 2, burstCount: 1, durationInSec: 2 },
    ]);
    expect([1, 2, 3, 4].map(() => call(sentinel, 'a'))).toEqual([
      'pass',
      'pass',
      'pass',
      'blocked:param-flow:a',
    ]);
    clock.advance(2000); // not more than durationInSec yet
    expect(call(sentinel, 'a')).toBe('blocked:param-flow:a');
    clock.advance(1);
    expect(call(sentinel, 'a')).toBe('pass');
  });

  it('give exception items their own threshold, matched by classType', () => {
    const { sentinel } = setup([
      {
        resource: 'r',
        paramIdx: 0,
        count: 1,
        paramFlowItemList: [
          { object: 'vip', classType: 'java.lang.String', count: 3 },
          { object: '42', classType: 'int', count: 0 },
          { object: 'true', classType: 'boolean', count: 2 },
        ],
      },
    ]);
    expect([1, 2, 3, 4].map(() => call(sentinel, 'vip'))).toEqual([
      'pass',
      'pass',
      'pass',
      'blocked:param-flow:vip',
    ]);
    expect(call(sentinel, 42)).toBe('blocked:param-flow:42');
    expect(call(sentinel, 42n)).toBe('blocked:param-flow:42'); // a Java long decoded as bigint
    expect([call(sentinel, '42'), call(sentinel, '42')]).toEqual(['pass', 'blocked:param-flow:42']);
    expect([call(sentinel, true), call(sentinel, true), call(sentinel, true)]).toEqual([
      'pass',
      'pass',
      'blocked:param-flow:true',
    ]);
  });

  it('index from the end with a negative paramIdx, check collections element-wise, skip missing args', () => {
    const { sentinel } = setup([{ resource: 'r', paramIdx: -1, count: 1 }]);
    expect(call(sentinel, 'x', 'a')).toBe('pass');
    expect(call(sentinel, 'y', 'a')).toBe('blocked:param-flow:a');
    expect(call(sentinel, ['b', 'a'])).toBe('blocked:param-flow:[b, a]');
    // As in Java, elements checked before the refused one have spent their token.
    expect(call(sentinel, 'b')).toBe('blocked:param-flow:b');
    expect(call(sentinel)).toBe('pass');
    expect(call(sentinel, null)).toBe('pass');
    expect(sentinel.entry('r').blocked).toBe(false); // no args at all
  });
});

describe('hot-parameter rules, argument shapes', () => {
  it('key an object argument by its paramFlowKey(), and check every member of a Set', () => {
    const { sentinel } = setup([{ resource: 'r', paramIdx: 0, count: 1 }]);
    const user = (id: string) => ({ paramFlowKey: () => id });
    expect([call(sentinel, user('u1')), call(sentinel, user('u1'))]).toEqual([
      'pass',
      'blocked:param-flow:u1',
    ]);
    expect(call(sentinel, new Set(['s1', 's2']))).toBe('pass');
    expect(call(sentinel, new Set(['s2']))).toBe('blocked:param-flow:[s2]');
  });
});

describe('hot-parameter rules, rate limiter', () => {
  it('space each value 1000 * durationInSec / count ms apart, refusing waits of maxQueueingTimeMs or more', () => {
    const { sentinel } = setup([
      { resource: 'r', paramIdx: 0, count: 5, controlBehavior: 2, maxQueueingTimeMs: 500 },
    ]);
    expect([1, 2, 3, 4].map(() => call(sentinel, 'a'))).toEqual(['pass', 200, 400, 'blocked:param-flow:a']);
    expect(call(sentinel, 'b')).toBe('pass');
  });

  it('refuse a wait exactly equal to maxQueueingTimeMs', () => {
    const { sentinel } = setup([
      { resource: 'r', paramIdx: 0, count: 2, controlBehavior: 2, maxQueueingTimeMs: 500 },
    ]);
    expect([call(sentinel, 'a'), call(sentinel, 'a')]).toEqual(['pass', 'blocked:param-flow:a']);
  });
});

describe('hot-parameter rules, THREAD', () => {
  it('limit concurrent calls per value', () => {
    const { sentinel } = setup([{ resource: 'r', paramIdx: 0, grade: 0, count: 1 }]);
    const first = sentinel.entry('r', { args: ['a'] });
    expect(first.blocked).toBe(false);
    expect(call(sentinel, 'a')).toBe('blocked:param-flow:a');
    expect(call(sentinel, 'b')).toBe('pass');
    if (!first.blocked) first.exit();
    expect(call(sentinel, 'a')).toBe('pass');
  });
});

describe('hot-parameter rule loading', () => {
  it('keeps the counters of an unchanged rule across a reload, resets a changed one', () => {
    const { sentinel } = setup([{ resource: 'r', paramIdx: 0, count: 1 }]);
    call(sentinel, 'a');
    sentinel.paramFlowRules.loadRules([{ id: 9, resource: 'r', paramIdx: 0, count: 1 }]);
    expect(call(sentinel, 'a')).toBe('blocked:param-flow:a');
    sentinel.paramFlowRules.loadRules([{ resource: 'r', paramIdx: 0, count: 2 }]);
    expect(call(sentinel, 'a')).toBe('pass');
  });

  it('keeps a rule whose exception item does not parse, without the item, as Java does', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const result = sentinel.paramFlowRules.loadRules([
      {
        resource: 'r',
        paramIdx: 0,
        count: 1,
        paramFlowItemList: [
          { object: 'x', classType: 'int', count: 5 },
          { object: 'y', count: 5 },
        ],
      },
    ]);
    expect(result.rejected).toEqual([]);
    // 'x' is held to the rule's count (its item was dropped); 'y' keeps its own threshold.
    expect([call(sentinel, 'x'), call(sentinel, 'x')]).toEqual(['pass', 'blocked:param-flow:x']);
    expect([call(sentinel, 'y'), call(sentinel, 'y')]).toEqual(['pass', 'pass']);
  });

  it('limits with the token bucket under any behaviour code but RATE_LIMITER, as Java does', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const result = sentinel.paramFlowRules.loadRules([
      { resource: 'r', paramIdx: 0, count: 1, controlBehavior: 1 },
    ]);
    expect(result.rejected).toEqual([]);
    expect([call(sentinel, 'a'), call(sentinel, 'a')]).toEqual(['pass', 'blocked:param-flow:a']);
  });

  it('fills defaults and rejects bad rules alone', () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const result = sentinel.paramFlowRules.loadRules([
      { resource: 'r', count: 1 },
      { resource: 'r', paramIdx: 0, count: 1, controlBehavior: -1 },
      { resource: 'r', paramIdx: 0, count: 1, durationInSec: 0 },
      { resource: 'r', paramIdx: 0, count: 1, clusterMode: true },
      { resource: 'ok', paramIdx: 1, count: 3 },
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(result.rules).toEqual([
      expect.objectContaining({
        resource: 'ok',
        grade: 1,
        controlBehavior: 0,
        maxQueueingTimeMs: 0,
        burstCount: 0,
        durationInSec: 1,
        paramFlowItemList: [],
      }),
    ]);
  });
});

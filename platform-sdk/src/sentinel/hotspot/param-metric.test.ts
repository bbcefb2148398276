import { describe, expect, it } from 'vitest';
import { LruMap, ParamThreadCounts, paramKey } from './param-metric.js';

describe('LruMap', () => {
  it('forgets the least recently used key past its capacity', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the most recent
    m.set('c', 3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
  });
});

describe('paramKey', () => {
  it('uses paramFlowKey() of a ParamFlowArgument and safe bigints as numbers', () => {
    expect(paramKey({ paramFlowKey: () => 'user-1' })).toBe('user-1');
    expect(paramKey(7n)).toBe(7);
    expect(paramKey(2n ** 60n)).toBe(2n ** 60n);
    expect(paramKey('x')).toBe('x');
  });
});

describe('ParamThreadCounts', () => {
  it('counts per index and value and never goes below zero', () => {
    const c = new ParamThreadCounts();
    c.add(0, 'a', 1);
    c.add(0, 'a', 1);
    c.add(1, 'a', 1);
    expect([c.get(0, 'a'), c.get(1, 'a')]).toEqual([2, 1]);
    c.add(1, 'a', -1);
    c.add(1, 'a', -1);
    expect(c.get(1, 'a')).toBe(0);
  });
});

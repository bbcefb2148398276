import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { EntryOptions } from '../sentinel.js';
import { createSentinel, type Sentinel } from '../sentinel.js';

function setup(rules: unknown[]): { sentinel: Sentinel; clock: ManualClock } {
  const clock = new ManualClock(1_000_000);
  const sentinel = createSentinel({ clock });
  const result = sentinel.flowRules.loadRules(rules);
  expect(result.rejected).toEqual([]);
  return { sentinel, clock };
}

/** Enters and exits `n` times; returns how many were admitted. */
function admitted(sentinel: Sentinel, resource: string, n: number, options?: EntryOptions): number {
  let passed = 0;
  for (let i = 0; i < n; i++) {
    const r = sentinel.entry(resource, options);
    if (!r.blocked) {
      passed++;
      r.exit();
    }
  }
  return passed;
}

describe('flow rules: QPS, reject (DEFAULT)', () => {
  it('admits exactly `count` per second, then blocks with the rule named', () => {
    const { sentinel, clock } = setup([{ resource: 'r', count: 2 }]);
    expect(admitted(sentinel, 'r', 2)).toBe(2);
    const blocked = sentinel.entry('r');
    expect(blocked.blocked).toBe(true);
    if (!blocked.blocked) return;
    expect(blocked.kind).toBe('flow');
    expect(blocked.resource).toBe('r');
    expect(blocked.rule).toEqual(expect.objectContaining({ resource: 'r', count: 2, grade: 1 }));
    expect(sentinel.clusterNode('r')!.blockQps()).toBe(1);
    clock.advance(1000);
    expect(admitted(sentinel, 'r', 5)).toBe(2);
  });

  it('counts batchCount towards the threshold', () => {
    const { sentinel } = setup([{ resource: 'r', count: 5 }]);
    expect(sentinel.entry('r', { batchCount: 4 }).blocked).toBe(false);
    expect(sentinel.entry('r', { batchCount: 2 }).blocked).toBe(true);
    expect(sentinel.entry('r', { batchCount: 1 }).blocked).toBe(false);
  });

  it('count 0 blocks everything', () => {
    const { sentinel } = setup([{ resource: 'r', count: 0 }]);
    expect(admitted(sentinel, 'r', 3)).toBe(0);
  });
});

describe('flow rules: THREAD grade', () => {
  it('limits concurrent entries, freed by exit', () => {
    const { sentinel } = setup([{ resource: 'r', grade: 0, count: 2 }]);
    const a = sentinel.entry('r');
    const b = sentinel.entry('r');
    expect([a.blocked, b.blocked]).toEqual([false, false]);
    expect(sentinel.entry('r').blocked).toBe(true);
    if (!a.blocked) a.exit();
    expect(sentinel.entry('r').blocked).toBe(false);
  });
});

describe('flow rules: limitApp (origin matching)', () => {
  it('a named origin is limited on its own origin node, others are not', () => {
    const { sentinel } = setup([{ resource: 'r', limitApp: 'appA', count: 1 }]);
    expect(admitted(sentinel, 'r', 3, { origin: 'appA' })).toBe(1);
    expect(admitted(sentinel, 'r', 3, { origin: 'appB' })).toBe(3);
    expect(admitted(sentinel, 'r', 3)).toBe(3);
  });

  it('`default` limits the resource as a whole, whoever calls', () => {
    const { sentinel } = setup([
      { resource: 'r', limitApp: 'default', count: 3 },
      { resource: 'r', limitApp: 'appA', count: 10 },
    ]);
    expect(admitted(sentinel, 'r', 2, { origin: 'appB' })).toBe(2);
    expect(admitted(sentinel, 'r', 5, { origin: 'appA' })).toBe(1);
  });

  it('`other` limits each origin that no rule names, and not the empty origin', () => {
    const { sentinel } = setup([
      { resource: 'r', limitApp: 'other', count: 1 },
      { resource: 'r', limitApp: 'appA', count: 5 },
    ]);
    expect(admitted(sentinel, 'r', 3, { origin: 'appB' })).toBe(1);
    expect(admitted(sentinel, 'r', 3, { origin: 'appC' })).toBe(1);
    expect(admitted(sentinel, 'r', 7, { origin: 'appA' })).toBe(5);
    expect(admitted(sentinel, 'r', 3)).toBe(3);
  });

  it('takes the origin from the async-local context', () => {
    const { sentinel } = setup([{ resource: 'r', limitApp: 'appA', count: 1 }]);
    const n = sentinel.runInContext('web', 'appA', () => admitted(sentinel, 'r', 3));
    expect(n).toBe(1);
  });
});

describe('flow rules: RELATE and CHAIN', () => {
  it('RELATE limits a resource by the traffic of refResource', () => {
    const { sentinel } = setup([{ resource: 'read', strategy: 1, refResource: 'write', count: 2 }]);
    expect(admitted(sentinel, 'read', 3)).toBe(3); // write never entered: nothing to relate to
    admitted(sentinel, 'write', 2);
    expect(sentinel.entry('read').blocked).toBe(true);
  });

  it('CHAIN applies only to entries under the context named by refResource', () => {
    const { sentinel } = setup([{ resource: 'db', strategy: 2, refResource: 'entranceA', count: 1 }]);
    expect(admitted(sentinel, 'db', 3, { context: sentinel.context('entranceA') })).toBe(1);
    expect(admitted(sentinel, 'db', 3, { context: sentinel.context('entranceB') })).toBe(3);
    expect(sentinel.runInContext('entranceA', '', () => sentinel.entry('db').blocked)).toBe(true);
  });
});

describe('flow rules: cluster mode without a token server', () => {
  it('falls back to the local check, or passes when fallbackToLocalWhenFail is false', () => {
    const { sentinel } = setup([
      { resource: 'a', count: 1, clusterMode: true, clusterConfig: { flowId: 1 } },
      {
        resource: 'b',
        count: 1,
        clusterMode: true,
        clusterConfig: { flowId: 2, fallbackToLocalWhenFail: false },
      },
    ]);
    expect(admitted(sentinel, 'a', 3)).toBe(1);
    expect(admitted(sentinel, 'b', 3)).toBe(3);
  });
});

describe('flow rules: regex resources', () => {
  it('apply to every resource the pattern fully matches', () => {
    const { sentinel } = setup([{ resource: 'GET:/api/.*', regex: true, count: 1 }]);
    expect(admitted(sentinel, 'GET:/api/a', 2)).toBe(1);
    expect(admitted(sentinel, 'GET:/api/b', 2)).toBe(1);
    expect(admitted(sentinel, 'POST:GET:/api/a', 2)).toBe(2);
  });
});

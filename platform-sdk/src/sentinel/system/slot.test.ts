import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { Entry } from '../core/entry.js';
import { createSentinel, type EntryResult } from '../sentinel.js';
import { StaticSystemStatus } from './system-status.js';

function setup(rules: unknown[]) {
  const clock = new ManualClock(1_000_000);
  const status = new StaticSystemStatus();
  const sentinel = createSentinel({ clock, systemStatus: status });
  expect(sentinel.systemRules.loadRules(rules).rejected).toEqual([]);
  const enterIn = (): EntryResult => sentinel.entry('api', { entryType: 'IN' });
  return { sentinel, clock, status, enterIn };
}

function kindOf(r: EntryResult): string {
  return r.blocked ? `${r.kind}:${r.detail}` : 'pass';
}

function held(r: EntryResult): Entry {
  if (r.blocked) throw new Error('expected an admitted entry');
  return r;
}

describe('system rules', () => {
  it('limit inbound QPS across resources, and leave outbound entries alone', () => {
    const { sentinel, enterIn } = setup([{ qps: 2 }]);
    held(enterIn()).exit();
    held(sentinel.entry('other', { entryType: 'IN' })).exit();
    expect(kindOf(enterIn())).toBe('system:qps');
    expect(kindOf(sentinel.entry('api'))).toBe('pass');
  });

  it('limit concurrency: above maxThread entries already in flight', () => {
    const { enterIn } = setup([{ maxThread: 1 }]);
    held(enterIn());
    held(enterIn()); // 1 in flight is not above 1
    expect(kindOf(enterIn())).toBe('system:thread');
  });

  it('limit average rt of inbound traffic', () => {
    const { clock, enterIn } = setup([{ avgRt: 10 }]);
    const e = held(enterIn());
    clock.advance(10);
    e.exit();
    expect(kindOf(enterIn())).toBe('pass'); // 10 is not above 10
    const slow = held(enterIn());
    clock.advance(30);
    slow.exit();
    expect(kindOf(enterIn())).toBe('system:rt');
  });

  it('above highestSystemLoad, admit only what BBR says the app can complete', () => {
    const { clock, status, enterIn } = setup([{ highestSystemLoad: 1 }]);
    status.load = 2;
    const done = held(enterIn());
    clock.advance(1);
    done.exit(); // maxSuccessQps 2, minRt 1: capacity 0.002 concurrent
    held(enterIn()); // 0 in flight
    held(enterIn()); // 1 in flight: BBR lets a single one through
    expect(kindOf(enterIn())).toBe('system:load');
    status.load = 0.5;
    expect(kindOf(enterIn())).toBe('pass');
  });

  it('limit CPU usage', () => {
    const { status, enterIn } = setup([{ highestCpuUsage: 0.5 }]);
    status.cpu = 0.5;
    expect(kindOf(enterIn())).toBe('pass');
    status.cpu = 0.6;
    expect(kindOf(enterIn())).toBe('system:cpu');
  });

  it('merge rules by the smallest threshold and name the rule that set it', () => {
    const { enterIn } = setup([
      { id: 1, qps: 5 },
      { id: 2, qps: 1, avgRt: 100 },
    ]);
    held(enterIn()).exit();
    const r = enterIn();
    expect(kindOf(r)).toBe('system:qps');
    expect(r.blocked && r.rule.id).toBe(2);
  });

  it('reject a CPU threshold above 1 and a rule without thresholds; no rules means no checks', () => {
    const { sentinel, enterIn } = setup([]);
    const result = sentinel.systemRules.loadRules([{ highestCpuUsage: 80 }, { avgRt: -1 }, { qps: 0 }]);
    expect(result.rejected.map((r) => [r.index, r.error.code])).toEqual([
      [0, 'SILK_SENTINEL_RULE_INVALID'],
      [1, 'SILK_SENTINEL_RULE_INVALID'],
    ]);
    expect(kindOf(enterIn())).toBe('system:qps');
    sentinel.systemRules.loadRules('[]');
    expect(kindOf(enterIn())).toBe('pass');
  });
});

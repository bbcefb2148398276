import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createSentinel, type Sentinel } from '../sentinel.js';
import type { CircuitBreakerState } from './circuit-breaker.js';

function setup(rule: Record<string, unknown>) {
  const clock = new ManualClock(1_000_000);
  const sentinel = createSentinel({ clock });
  const result = sentinel.degradeRules.loadRules([{ resource: 'r', timeWindow: 10, ...rule }]);
  expect(result.rejected).toEqual([]);
  const transitions: string[] = [];
  sentinel.degradeRules.onStateChange((prev, next) => transitions.push(`${prev}->${next}`));
  return { sentinel, clock, transitions };
}

/** One call to `r` that takes `rtMs` and fails when `fail`; returns whether it was admitted. */
function call(sentinel: Sentinel, clock: ManualClock, rtMs: number, fail = false): boolean {
  const e = sentinel.entry('r');
  if (e.blocked) {
    expect(e.kind).toBe('degrade');
    return false;
  }
  clock.advance(rtMs);
  if (fail) e.setError(new Error('boom'));
  e.exit();
  return true;
}

function state(sentinel: Sentinel): CircuitBreakerState {
  return sentinel.degradeRules.circuitBreakers('r')[0]!.state;
}

describe('slow request ratio breaker (grade 0)', () => {
  it('opens when the slow ratio exceeds the threshold with minRequestAmount requests', () => {
    const { sentinel, clock, transitions } = setup({
      grade: 0,
      count: 100,
      slowRatioThreshold: 0.5,
      minRequestAmount: 4,
      statIntervalMs: 10_000,
    });
    call(sentinel, clock, 200);
    call(sentinel, clock, 200);
    call(sentinel, clock, 50);
    expect(state(sentinel)).toBe('CLOSED'); // 3 < minRequestAmount
    call(sentinel, clock, 50); // 2/4 = 0.5, not above 0.5
    expect(state(sentinel)).toBe('CLOSED');
    call(sentinel, clock, 101); // 3/5 = 0.6
    expect(state(sentinel)).toBe('OPEN');
    expect(call(sentinel, clock, 1)).toBe(false);
    expect(transitions).toEqual(['CLOSED->OPEN']);
  });

  it('opens at exactly 100% slow when the threshold is 1.0', () => {
    const { sentinel, clock } = setup({ grade: 0, count: 10, minRequestAmount: 2, statIntervalMs: 10_000 });
    call(sentinel, clock, 11);
    call(sentinel, clock, 11);
    expect(state(sentinel)).toBe('OPEN');
  });

  it('rt equal to count is not slow', () => {
    const { sentinel, clock } = setup({ grade: 0, count: 10, minRequestAmount: 2, statIntervalMs: 10_000 });
    call(sentinel, clock, 10);
    call(sentinel, clock, 10);
    expect(state(sentinel)).toBe('CLOSED');
  });

  it('after timeWindow lets one probe through; a fast probe closes, a slow one reopens', () => {
    const { sentinel, clock, transitions } = setup({
      grade: 0,
      count: 10,
      minRequestAmount: 1,
      statIntervalMs: 1000,
    });
    call(sentinel, clock, 50);
    expect(state(sentinel)).toBe('OPEN');
    clock.advance(9_999); // opened at t+50, retry due at t+10_050
    expect(call(sentinel, clock, 0)).toBe(false);
    clock.advance(1);
    const probe = sentinel.entry('r');
    expect(probe.blocked).toBe(false);
    expect(state(sentinel)).toBe('HALF_OPEN');
    expect(sentinel.entry('r').blocked).toBe(true); // a single probe
    clock.advance(20);
    if (!probe.blocked) probe.exit(); // slow probe
    expect(state(sentinel)).toBe('OPEN');
    clock.advance(10_000);
    expect(call(sentinel, clock, 5)).toBe(true); // fast probe
    expect(state(sentinel)).toBe('CLOSED');
    expect(transitions).toEqual([
      'CLOSED->OPEN',
      'OPEN->HALF_OPEN',
      'HALF_OPEN->OPEN',
      'OPEN->HALF_OPEN',
      'HALF_OPEN->CLOSED',
    ]);
    expect(call(sentinel, clock, 50)).toBe(true); // stats were reset on close: 1 slow of 1 reopens
    expect(state(sentinel)).toBe('OPEN');
  });
});

describe('error ratio breaker (grade 1)', () => {
  it('opens when the error ratio exceeds count; a failed probe reopens', () => {
    const { sentinel, clock } = setup({ grade: 1, count: 0.5, minRequestAmount: 4, statIntervalMs: 10_000 });
    call(sentinel, clock, 1, true);
    call(sentinel, clock, 1, true);
    call(sentinel, clock, 1);
    call(sentinel, clock, 1); // 2/4 = 0.5
    expect(state(sentinel)).toBe('CLOSED');
    call(sentinel, clock, 1, true); // 3/5
    expect(state(sentinel)).toBe('OPEN');
    clock.advance(10_000);
    expect(call(sentinel, clock, 1, true)).toBe(true);
    expect(state(sentinel)).toBe('OPEN');
    clock.advance(10_000);
    expect(call(sentinel, clock, 1)).toBe(true);
    expect(state(sentinel)).toBe('CLOSED');
  });

  it('forgets requests older than statIntervalMs', () => {
    const { sentinel, clock } = setup({ grade: 1, count: 0.5, minRequestAmount: 2, statIntervalMs: 1000 });
    call(sentinel, clock, 1, true);
    clock.advance(1000);
    call(sentinel, clock, 1, true); // a new interval: 1 request, under minRequestAmount
    expect(state(sentinel)).toBe('CLOSED');
  });
});

describe('error count breaker (grade 2)', () => {
  it('opens when errors exceed count', () => {
    const { sentinel, clock } = setup({ grade: 2, count: 2, minRequestAmount: 1, statIntervalMs: 10_000 });
    call(sentinel, clock, 1, true);
    call(sentinel, clock, 1, true);
    expect(state(sentinel)).toBe('CLOSED');
    call(sentinel, clock, 1, true);
    expect(state(sentinel)).toBe('OPEN');
  });

  it('does not count errors the exception predicate ignores', () => {
    const clock = new ManualClock(0);
    const sentinel = createSentinel({ clock, exceptionPredicate: (err) => !(err instanceof TypeError) });
    sentinel.degradeRules.loadRules([
      { resource: 'r', grade: 2, count: 0, minRequestAmount: 1, timeWindow: 1 },
    ]);
    const e = sentinel.entry('r');
    if (!e.blocked) {
      e.setError(new TypeError('ignored'));
      e.exit();
    }
    expect(sentinel.degradeRules.circuitBreakers('r')[0]!.state).toBe('CLOSED');
    expect(sentinel.clusterNode('r')!.exceptionQps()).toBe(0);
  });
});

describe('breakers and other rules', () => {
  it('a probe blocked by a later breaker sends its breaker back to OPEN', () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.degradeRules.loadRules([
      { resource: 'r', grade: 2, count: 0, minRequestAmount: 1, timeWindow: 1 },
      { resource: 'r', grade: 2, count: 0, minRequestAmount: 1, timeWindow: 5 },
    ]);
    call(sentinel, clock, 1, true); // both open
    clock.advance(1000);
    expect(sentinel.entry('r').blocked).toBe(true); // first half-opens, second blocks
    const [first, second] = sentinel.degradeRules.circuitBreakers('r');
    expect([first!.state, second!.state]).toEqual(['OPEN', 'OPEN']);
  });

  it('keeps a breaker and its state across a reload of the same rule, resets a changed one', () => {
    const { sentinel, clock } = setup({ grade: 2, count: 0, minRequestAmount: 1 });
    call(sentinel, clock, 1, true);
    sentinel.degradeRules.loadRules([
      { id: 7, resource: 'r', grade: 2, count: 0, minRequestAmount: 1, timeWindow: 10 },
    ]);
    expect(state(sentinel)).toBe('OPEN');
    sentinel.degradeRules.loadRules([
      { resource: 'r', grade: 2, count: 1, minRequestAmount: 1, timeWindow: 10 },
    ]);
    expect(state(sentinel)).toBe('CLOSED');
  });

  it('rejects invalid degrade rules alone', () => {
    const { sentinel } = setup({ grade: 0, count: 1 });
    const result = sentinel.degradeRules.loadRules([
      { resource: 'a', count: 1, timeWindow: 0 },
      { resource: 'a', grade: 1, count: 2, timeWindow: 1 },
      { resource: 'a', grade: 0, count: 1, timeWindow: 1, slowRatioThreshold: 1.5 },
      { resource: 'a', grade: 3, count: 1, timeWindow: 1 },
      { resource: 'a', count: 1, timeWindow: 1, minRequestAmount: 0 },
      { resource: 'ok', count: 1, timeWindow: 1 },
    ]);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(result.rules).toEqual([
      expect.objectContaining({
        resource: 'ok',
        grade: 0,
        minRequestAmount: 5,
        slowRatioThreshold: 1,
        statIntervalMs: 1000,
      }),
    ]);
  });
});

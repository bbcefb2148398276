import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { isSilkError } from '../../core/index.js';
import { createSentinel } from '../sentinel.js';

function waits(n: number, count: number, maxQueueingTimeMs: number, clock = new ManualClock(1_000_000)) {
  const sentinel = createSentinel({ clock });
  sentinel.flowRules.loadRules([{ resource: 'r', count, controlBehavior: 2, maxQueueingTimeMs }]);
  const out: (number | 'blocked')[] = [];
  for (let i = 0; i < n; i++) {
    const r = sentinel.entry('r');
    out.push(r.blocked ? 'blocked' : r.waitMs);
  }
  return { out, sentinel, clock };
}

describe('rate limiter (controlBehavior 2)', () => {
  it('queues requests 1000/count ms apart, up to maxQueueingTimeMs inclusive', () => {
    expect(waits(8, 10, 500).out).toEqual([0, 100, 200, 300, 400, 500, 'blocked', 'blocked']);
  });

  it('admits without waiting once the spacing has elapsed', () => {
    const { sentinel, clock } = waits(3, 10, 500);
    clock.advance(1000);
    const r = sentinel.entry('r');
    expect(r.blocked ? 'blocked' : r.waitMs).toBe(0);
  });

  it('keeps sub-millisecond precision when 1000 / count is not whole (Java uses nanoseconds)', () => {
    const { out } = waits(3, 3, 700);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(333.333333, 5);
    expect(out[2]).toBeCloseTo(666.666667, 5);
  });

  it('makes an async caller wait its turn before running', async () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.flowRules.loadRules([{ resource: 'r', count: 10, controlBehavior: 2, maxQueueingTimeMs: 150 }]);
    const ran: number[] = [];
    const work = sentinel.wrap('r', (id: number) => {
      ran.push(id);
      return id;
    });
    const first = work(1);
    const second = work(2);
    const third = work(3).catch((err: unknown) => err);
    await first;
    await Promise.resolve();
    expect(ran).toEqual([1]);
    clock.advance(100);
    await expect(second).resolves.toBe(2);
    const err = await third; // would wait 200 ms > 150
    expect(isSilkError(err) && err.code).toBe('SILK_SENTINEL_FLOW_BLOCKED');
    expect(isSilkError(err) && err.statusCode).toBe(429);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { CachedMillisClock, IDLE_TICKS, ManualClock, WallClock } from './clock.js';

describe('CachedMillisClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads Date.now() once, then serves the cached value refreshed by its timer', () => {
    vi.useFakeTimers({ now: 1_000 });
    const spy = vi.spyOn(Date, 'now');
    const clock = new CachedMillisClock();
    spy.mockClear();
    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
    expect(spy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5);
    expect(clock.now()).toBe(1_005);
    clock.close();
  });

  it('parks its timer when nobody reads it, and restarts on the next read', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new CachedMillisClock();
    clock.now();
    vi.advanceTimersByTime(IDLE_TICKS + 5);
    expect(vi.getTimerCount()).toBe(0);
    expect(clock.now()).toBe(IDLE_TICKS + 5);
    expect(vi.getTimerCount()).toBe(1);
    clock.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('WallClock', () => {
  it('reads Date.now() on every call', () => {
    vi.useFakeTimers({ now: 42 });
    const clock = new WallClock();
    expect(clock.now()).toBe(42);
    vi.setSystemTime(50);
    expect(clock.now()).toBe(50);
    vi.useRealTimers();
  });
});

describe('ManualClock', () => {
  it('wakes sleepers when time reaches them', async () => {
    const clock = new ManualClock(0);
    let woke = false;
    const sleeping = clock.sleep(100).then(() => (woke = true));
    clock.advance(99);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });
});

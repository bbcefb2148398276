import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from './fake-clock.js';
import type { CacheLogger } from './logger.js';
import { Watchdog, type WatchedLock } from './watchdog.js';

const quiet: CacheLogger = { warn: vi.fn(), error: vi.fn() };

describe('Watchdog', () => {
  it('renews every lease/3 while locks are watched, and stops when none are', async () => {
    const clock = new FakeClock();
    const rounds: string[][] = [];
    const dog = new Watchdog(
      (locks) => {
        rounds.push(locks.map((l) => l.name));
        return Promise.resolve(locks.map(() => true));
      },
      30_000,
      clock,
      quiet,
    );
    const a: WatchedLock = { name: 'a', field: 'c:1' };
    dog.watch(a);
    await clock.advance(9_999);
    expect(rounds).toEqual([]);
    await clock.advance(1);
    expect(rounds).toEqual([['a']]);
    await clock.advance(10_000);
    expect(rounds).toHaveLength(2);
    dog.unwatch(a);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(rounds).toHaveLength(2);
  });

  it('drops and reports a lock the renewal found no longer ours', async () => {
    const clock = new FakeClock();
    const lost: WatchedLock[] = [];
    const dog = new Watchdog(
      (locks) => Promise.resolve(locks.map((l) => l.name !== 'gone')),
      300,
      clock,
      quiet,
      (l) => lost.push(l),
    );
    dog.watch({ name: 'kept', field: 'c:1' });
    dog.watch({ name: 'gone', field: 'c:2' });
    await clock.advance(100);
    expect(lost.map((l) => l.name)).toEqual(['gone']);
    expect(dog.isWatching({ name: 'kept', field: 'c:1' })).toBe(true);
    expect(dog.size).toBe(1);
  });

  it('keeps trying after a failed round (Redis briefly away)', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const logger: CacheLogger = { warn: vi.fn(), error: vi.fn() };
    const dog = new Watchdog(
      () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('ECONNRESET')) : Promise.resolve([true]);
      },
      3_000,
      clock,
      logger,
    );
    dog.watch({ name: 'a', field: 'c:1' });
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(calls).toBe(2);
    expect(logger.error).toHaveBeenCalledTimes(1);
    dog.stop();
  });
});

import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs one call per key for concurrent callers and shares its result', async () => {
    const sf = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let calls = 0;
    const fn = (): Promise<number> => {
      calls++;
      return gate.promise;
    };
    const all = Promise.all([sf.run('k', fn), sf.run('k', fn), sf.run('k', fn)]);
    gate.resolve(7);
    expect(await all).toEqual([7, 7, 7]);
    expect(calls).toBe(1);
    expect(sf.size).toBe(0);
  });

  it('runs different keys independently', async () => {
    const sf = new SingleFlight<string, string>();
    const results = await Promise.all([
      sf.run('a', () => Promise.resolve('A')),
      sf.run('b', () => Promise.resolve('B')),
    ]);
    expect(results).toEqual(['A', 'B']);
  });

  it('shares a failure with every joined caller, then starts afresh', async () => {
    const sf = new SingleFlight<string, number>();
    const boom = new Error('boom');
    const p1 = sf.run('k', () => Promise.reject(boom));
    const p2 = sf.run('k', () => Promise.resolve(1));
    await expect(p1).rejects.toBe(boom);
    await expect(p2).rejects.toBe(boom);
    await expect(sf.run('k', () => Promise.resolve(2))).resolves.toBe(2);
  });

  it('does not leak a flight when fn throws synchronously', async () => {
    const sf = new SingleFlight<string, number>();
    await expect(
      sf.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(sf.size).toBe(0);
  });

  it('marks the running flight stale on invalidate (guards L1 fills racing a write)', async () => {
    const sf = new SingleFlight<string, boolean>();
    const gate = deferred<void>();
    const p = sf.run('k', async (flight) => {
      await gate.promise;
      return flight.stale;
    });
    expect(sf.invalidate('k')).toBe(true);
    expect(sf.invalidate('other')).toBe(false);
    gate.resolve();
    expect(await p).toBe(true);
  });
});

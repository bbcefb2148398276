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

  it('starts fn at once, and a call fn makes for its own key while starting joins the flight', async () => {
    const sf = new SingleFlight<string, number>();
    let calls = 0;
    let inner: Promise<number> | undefined;
    const outer = sf.run('k', () => {
      calls++;
      inner = sf.run('k', () => Promise.resolve(-1));
      return Promise.resolve(5);
    });
    expect(calls).toBe(1); // synchronously, not a microtask later
    expect(await outer).toBe(5);
    expect(await inner).toBe(5);
    expect(calls).toBe(1);
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
  it('does not let a caller join a flight gone stale: it starts its own, and each gets its own result', async () => {
    const sf = new SingleFlight<string, string>();
    const gate = deferred<string>();
    const before = sf.run('k', () => gate.promise); // read the source before the write
    expect(sf.invalidate('k')).toBe(true); // the write's invalidation arrives
    const after = sf.run('k', () => Promise.resolve('new'));
    const joined = sf.run('k', () => Promise.resolve('never run'));
    const waited = new Promise<string>((r) => setTimeout(() => r('joined the stale flight'), 50));
    const first = await Promise.race([after, waited]);
    gate.resolve('old');
    expect(first).toBe('new');
    expect(await joined).toBe('new'); // joins the fresh flight, not the stale one
    expect(await before).toBe('old'); // its own caller asked before the write
    expect(sf.size).toBe(0); // the stale flight ending does not drop the map's newer entry early
  });
});

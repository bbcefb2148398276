/**
 * The Redis level of a read on an in-memory Redis and a fake clock: the hit path (one GET,
 * nothing else), what it hands on to the lease loop (negative entries, corrupt values, misses),
 * and the Redis step bound counted in sweeps rather than clock reads.
 */
import { describe, expect, it } from 'vitest';
import { resolveCacheOptions } from './cache-options.js';
import { NEGATIVE_MARKER } from './codec.js';
import { FakeClock, flush } from './fake-clock.js';
import type { RedisClient } from './lua.js';
import { ReadThrough, type Outcome } from './read-through.js';
import { CacheStats } from './stats.js';
import type { Flight } from './single-flight.js';

interface Item {
  id: number;
}

/** GET answers from `values` (or never, while `stall` is on); the scripts act on the same map. */
function fakeRedis() {
  const values = new Map<string, string>();
  const calls: string[] = [];
  const state = { stall: false };
  const redis = {
    get: (key: string) => {
      calls.push(`GET ${key}`);
      return state.stall ? new Promise<never>(() => undefined) : Promise.resolve(values.get(key) ?? null);
    },
    // READ_OR_LEASE (2 keys + token + ms), WRITE_IF_LEASED (2 keys + token + value + ttl) and
    // DROP_IF_EQUALS (1 key + text), told apart by their argument counts.
    evalsha: (_sha: string, _n: number, ...rest: (string | number)[]) => {
      calls.push(`EVALSHA ${rest.length}`);
      if (rest.length === 2) {
        if (values.get(String(rest[0])) === rest[1]) values.delete(String(rest[0]));
        return Promise.resolve(1);
      }
      if (rest.length === 4) {
        const v = values.get(String(rest[0]));
        return Promise.resolve(v === undefined ? [2] : [1, v]);
      }
      values.set(String(rest[0]), String(rest[3]));
      return Promise.resolve(1);
    },
  };
  return { redis: redis as unknown as RedisClient, values, calls, state };
}

function rig(redisTimeoutMs = 400) {
  const clock = new FakeClock();
  const fake = fakeRedis();
  const warnings: string[] = [];
  const o = resolveCacheOptions<string, Item>({
    name: 'rt',
    redis: fake.redis,
    keyPrefix: 'p:',
    clock,
    redisTimeoutMs,
    negativeTtlMs: 1000,
    logger: { warn: (_o, m) => warnings.push(m), error: (_o, m) => warnings.push(m) },
  });
  const stats = new CacheStats();
  const fills: [string, Item | undefined][] = [];
  const rt = new ReadThrough<string, Item>(o, stats, (t, v) => fills.push([t, v]));
  const flight = { stale: false } as Flight<Outcome<Item>>;
  let loads = 0;
  const loader = (k: string) => (loads++, Promise.resolve({ id: k.length }));
  return { clock, fake, rt, stats, fills, warnings, flight, loader, loads: () => loads };
}

describe('ReadThrough', () => {
  it('answers a hit with one GET of the value key, decoded and filled', async () => {
    const r = rig();
    r.fake.values.set('p:rt:k', '{"id":7}');
    expect(await r.rt.fetch('k', 'k', r.loader, r.flight)).toEqual({ value: { id: 7 }, source: 'redis' });
    expect(r.fake.calls).toEqual(['GET p:rt:k']);
    expect(r.fills).toEqual([['k', { id: 7 }]]);
    expect(r.loads()).toBe(0);
  });

  it('answers a negative entry from Redis as absent, without loading', async () => {
    const r = rig();
    r.fake.values.set('p:rt:k', NEGATIVE_MARKER);
    expect(await r.rt.fetch('k', 'k', r.loader, r.flight)).toEqual({ value: undefined, source: 'redis' });
    expect(r.fills).toEqual([['k', undefined]]);
    expect(r.loads()).toBe(0);
  });

  it('treats a corrupt value as a logged miss: dropped, loaded and stored afresh', async () => {
    const r = rig();
    r.fake.values.set('p:rt:k', '{"id": 7, oops');
    expect(await r.rt.fetch('k', 'k', r.loader, r.flight)).toEqual({ value: { id: 1 }, source: 'load' });
    expect(r.stats.snapshot().corruptValues).toBe(1);
    expect(r.warnings.some((m) => m.includes('cannot be decoded'))).toBe(true);
    expect(r.fake.values.get('p:rt:k')).toBe('{"id":1}');
    expect(r.loads()).toBe(1);
  });

  it('on a miss takes the lease in the value key slot, loads once and stores', async () => {
    const r = rig();
    expect(await r.rt.fetch('k', 'k', r.loader, r.flight)).toEqual({ value: { id: 1 }, source: 'load' });
    expect(r.fake.calls).toEqual(['GET p:rt:k', 'EVALSHA 4', 'EVALSHA 5']);
    expect(r.fake.values.get('p:rt:k')).toBe('{"id":1}');
    expect(r.stats.snapshot().puts).toBe(1);
  });

  it('fails a stalled GET between 1 and 1.25 x redisTimeoutMs, then answers from the loader', async () => {
    const r = rig(400);
    r.fake.state.stall = true;
    let outcome: Outcome<Item> | undefined;
    void r.rt.fetch('k', 'k', r.loader, r.flight).then((o) => (outcome = o));
    await flush();
    await r.clock.advance(400);
    expect(outcome).toBeUndefined(); // not before the timeout
    await r.clock.advance(100);
    expect(outcome).toEqual({ value: { id: 1 }, source: 'load' });
    expect(r.stats.snapshot().redisBypasses).toBe(1);
    expect(r.clock.pendingTimers).toBe(0); // the sweep stops once nothing is in flight
  });

  it('bounds a step that starts between sweeps by its own count, not the first step', async () => {
    const r = rig(400);
    r.fake.state.stall = true;
    const first = r.rt.timed(() => new Promise<never>(() => undefined)).catch((e: Error) => e.message);
    await r.clock.advance(250); // sweeps at 100 and 200 have passed
    let late: string | undefined;
    void r.rt.timed(() => new Promise<never>(() => undefined)).catch((e: Error) => (late = e.message));
    await r.clock.advance(250); // t = 500: the first step fails, the late one (t = 250) not yet
    expect(await first).toContain('did not answer in time');
    expect(late).toBeUndefined();
    await r.clock.advance(150); // t = 650 < 250 + 400
    expect(late).toBeUndefined();
    await r.clock.advance(100); // t = 750: > 400 after it began
    expect(late).toContain('did not answer in time');
  });

  it('counts the intervals a late sweep (a busy event loop) really spanned', async () => {
    const r = rig(400);
    let failed: string | undefined;
    void r.rt.timed(() => new Promise<never>(() => undefined)).catch((e: Error) => (failed = e.message));
    // A fake clock's timers fire on time; jumping time while no timer may fire is the loop
    // stalled: the one sweep that then runs spans 5 intervals and fails the step.
    const stall = r.clock.now.bind(r.clock);
    let offset = 0;
    r.clock.now = () => stall() + offset;
    offset = 500;
    await r.clock.advance(100);
    expect(failed).toContain('did not answer in time');
  });
});

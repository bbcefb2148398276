/**
 * Interop with Java Redisson (interop/java/redisson-lock, Redisson 4.7.0): a Java RLock and a Silk
 * RLock on the same name exclude each other, wake each other on release, and see each other's
 * lease expire. The fixture jar is built with Maven once and rebuilt only when its sources change.
 */
import { buildJavaFixture, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { LockClient } from './lock-client.js';
import { Connections, deleteByPrefix, sleepMs, uniquePrefix } from './redis-it-support.js';

const REDIS_URL = `redis://${process.env.SILK_REDIS_HOST ?? '127.0.0.1'}:${process.env.SILK_REDIS_PORT ?? 6379}`;

const conns = new Connections();
const prefix = uniquePrefix('redisson');
const clients: LockClient[] = [];
const children: JavaProcess[] = [];
let jar = '';
let admin: Redis;

interface JavaRun {
  /** Resolves with the first stdout line starting with `prefix`. */
  line(prefix: string): Promise<string>;
  exit: Promise<number | null>;
}

const escapeRe = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function java(...args: string[]): JavaRun {
  const p = spawnJava(jar, args);
  children.push(p);
  const exit = new Promise<number | null>((res) => p.child.once('exit', (code) => res(code)));
  return {
    exit,
    line: async (prefix) => (await p.waitForOutput(new RegExp(`^${escapeRe(prefix)}.*$`, 'm'), 60_000))[0],
  };
}

async function client(): Promise<LockClient> {
  const c = new LockClient({ redis: await conns.open(), subscriber: await conns.open() });
  clients.push(c);
  return c;
}

// A cold ~/.m2 downloads Redisson and its Netty once: give the build more than the usual hook time.
beforeAll(async () => {
  admin = await conns.open();
  jar = buildJavaFixture('redisson-lock', 'redisson-lock-0.1.0.jar');
}, 600_000);

afterEach(async () => {
  for (const child of children.splice(0)) if (!child.exited) child.child.kill('SIGKILL');
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await deleteByPrefix(admin, prefix);
  await deleteByPrefix(admin, `redisson_lock__channel:{${prefix}`);
  await conns.closeAll();
});

describe('Silk RLock ⇄ Java Redisson RLock', () => {
  it('exclude each other over many rounds and wake each other on release', async () => {
    const name = `${prefix}contend`;
    const rounds = 20;
    const javaRun = java('contend', REDIS_URL, name, String(rounds), '8', prefix);
    await javaRun.line('READY');
    const silk = await Promise.all([client(), client()]);
    await Promise.all(
      silk.map(async (c) => {
        for (let i = 0; i < rounds; i++) {
          await c.getLock(name).withLock(
            async () => {
              const acquiredAt = Date.now();
              const inside = await c.redis.incr(`${prefix}inside`);
              if (inside !== 1) await c.redis.rpush(`${prefix}intervals`, `violation,silk,${inside}`);
              await sleepMs(5);
              await c.redis.decr(`${prefix}inside`);
              await c.redis.rpush(`${prefix}intervals`, `silk,${acquiredAt},${Date.now()}`);
            },
            { waitTime: 60_000 },
          );
          // Work between holds, as real callers have: without it an unfair lock lets the two
          // Silk lockers hand it back and forth and the test would not show contention.
          await sleepMs(10);
        }
      }),
    );
    expect(await javaRun.exit).toBe(0);

    const records = await admin.lrange(`${prefix}intervals`, 0, -1);
    expect(records.filter((r) => r.startsWith('violation'))).toEqual([]);
    const holds = records
      .map((r) => r.split(','))
      .map(([side, a, b]) => ({ side, from: Number(a), to: Number(b) }));
    expect(holds.filter((h) => h.side === 'java')).toHaveLength(rounds);
    expect(holds.filter((h) => h.side === 'silk')).toHaveLength(2 * rounds);
    holds.sort((x, y) => x.from - y.from);
    for (let i = 1; i < holds.length; i++) expect(holds[i]!.from).toBeGreaterThanOrEqual(holds[i - 1]!.to);
    // They really contended: the two sides' holds interleave.
    const switches = holds.filter((h, i) => i > 0 && h.side !== holds[i - 1]!.side).length;
    expect(switches).toBeGreaterThan(2);
  });

  it('Silk sees a dead Java holder’s lease expire, on Redisson’s own hash layout', async () => {
    const name = `${prefix}java-dies`;
    const holder = await java('hold-and-die', REDIS_URL, name, '1500').line('HELD');
    const field = holder.slice('HELD '.length);
    expect(field).toMatch(/^[0-9a-f-]{36}:\d+$/);
    expect(await admin.hgetall(name)).toEqual({ [field]: '1' });

    const c = await client();
    expect(await c.getLock(name).tryLock()).toBeUndefined();
    const started = Date.now();
    const got = await c.getLock(name).tryLock({ waitTime: 10_000, leaseTime: 5_000 });
    expect(got).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(await admin.hgetall(name)).toEqual({ [`${c.id}:${got!.threadId}`]: '1' });
    await got!.unlock();
  });

  it('Java sees a dead Silk holder’s lease expire', async () => {
    const name = `${prefix}silk-dies`;
    const c = await client();
    await c.getLock(name).lock({ leaseTime: 2_000 });
    await c.stop(); // the Silk "process" is gone; it never unlocks
    const waiter = java('wait', REDIS_URL, name, '10000');
    const result = await waiter.line('ACQUIRED');
    expect(Number(result.split(' ')[1])).toBeLessThan(10_000);
    expect(await waiter.exit).toBe(0);
    expect(await admin.exists(name)).toBe(0); // Java unlocked what it took over
  });

  it('a Java waiter is woken by Silk’s unlock message, long before the lease would end', async () => {
    const name = `${prefix}silk-wakes-java`;
    const c = await client();
    const held = await c.getLock(name).lock({ leaseTime: 30_000 });
    const waiter = java('wait', REDIS_URL, name, '20000');
    await waiter.line('WAITING');
    await sleepMs(1_000); // Java is now subscribed and parked on the channel
    await held.unlock();
    const elapsed = Number((await waiter.line('ACQUIRED')).split(' ')[1]);
    expect(elapsed).toBeLessThan(5_000);
    expect(await waiter.exit).toBe(0);
  });
});

/**
 * RLock against a real Redis. Each LockClient has its own connections and its own client id,
 * standing for a separate process. Lock names live under a unique prefix per run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { LockNotOwnerError, LockTimeoutError } from './errors.js';
import { LockClient, type LockClientOptions } from './lock-client.js';
import { lockChannelName } from './lock-scripts.js';
import { Connections, deleteByPrefix, recordingLogger, sleepMs, uniquePrefix } from './redis-it-support.js';

const conns = new Connections();
let admin: Redis;
const prefix = uniquePrefix('lock');
const clients: LockClient[] = [];

beforeAll(async () => {
  admin = await conns.open();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await deleteByPrefix(admin, prefix);
  // Fencing counters carry the name in a hash tag: silk_lock__fencing:{<prefix>...}
  await deleteByPrefix(admin, `silk_lock__fencing:{${prefix}`);
  await conns.closeAll();
});

async function client(options: Omit<LockClientOptions, 'redis' | 'subscriber'> = {}): Promise<LockClient> {
  const c = new LockClient({ ...options, redis: await conns.open(), subscriber: await conns.open() });
  clients.push(c);
  return c;
}

describe('RLock on Redis', () => {
  it('mutual exclusion over many rounds between several clients', async () => {
    const name = `${prefix}mutex`;
    const all = await Promise.all([1, 2, 3, 4].map(() => client()));
    let inside = 0;
    let maxInside = 0;
    let total = 0;
    const rounds = 25;
    await Promise.all(
      all.map(async (c) => {
        for (let i = 0; i < rounds; i++) {
          await c.getLock(name).withLock(
            async () => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              await sleepMs(1 + Math.random() * 3);
              total++;
              inside--;
            },
            { waitTime: 30_000 },
          );
        }
      }),
    );
    expect(maxInside).toBe(1);
    expect(total).toBe(all.length * rounds);
    expect(await admin.exists(name)).toBe(0);
  });

  it('is re-entrant for the same thread, with Redisson’s hash layout', async () => {
    const c = await client();
    const lock = c.getLock(`${prefix}reentrant`);
    const first = await lock.lock({ leaseTime: 10_000 });
    const second = await lock.lock({ leaseTime: 10_000, threadId: first.threadId });
    expect(second.holdCount).toBe(2);
    expect(await admin.hgetall(lock.name)).toEqual({ [`${c.id}:${first.threadId}`]: '2' });
    // Another logical thread of the same client does not get in.
    expect(await lock.tryLock()).toBeUndefined();
    await second.unlock();
    expect(await lock.isLocked()).toBe(true);
    expect(await lock.getHoldCount(first.threadId)).toBe(1);
    await first.unlock();
    expect(await lock.isLocked()).toBe(false);
  });

  it('only the owner can unlock', async () => {
    const a = await client();
    const b = await client();
    const name = `${prefix}owner`;
    const held = await a.getLock(name).lock({ leaseTime: 10_000 });
    const err = await b
      .getLock(name)
      .unlock(held.threadId)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockNotOwnerError);
    expect((err as LockNotOwnerError).code).toBe('SILK_LOCK_NOT_OWNER');
    await expect(a.getLock(name).unlock(held.threadId + 1000)).rejects.toMatchObject({
      code: 'SILK_LOCK_NOT_OWNER',
    });
    expect(await a.getLock(name).isHeldByThread(held.threadId)).toBe(true);
    await held.unlock();
    await expect(held.unlock()).rejects.toMatchObject({ code: 'SILK_LOCK_NOT_OWNER' });
  });

  it('a lease expires without unlock, and a waiter then gets the lock', async () => {
    const a = await client();
    const b = await client();
    const name = `${prefix}lease`;
    await a.getLock(name).lock({ leaseTime: 300 });
    const pttl = await a.getLock(name).remainTimeToLive();
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    const started = Date.now();
    const got = await b.getLock(name).tryLock({ waitTime: 3_000, leaseTime: 1_000 });
    expect(got).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await got!.unlock();
  });

  it('lock() with waitTime throws SILK_LOCK_TIMEOUT when the holder keeps it', async () => {
    const a = await client();
    const b = await client();
    const name = `${prefix}timeout`;
    const held = await a.getLock(name).lock({ leaseTime: 5_000 });
    await expect(b.getLock(name).lock({ waitTime: 150 })).rejects.toBeInstanceOf(LockTimeoutError);
    await held.unlock();
  });

  it('the watchdog keeps a lock alive past its lease while held, and stops when released', async () => {
    const a = await client({ lockWatchdogTimeout: 600 });
    const b = await client();
    const name = `${prefix}watchdog`;
    const held = await a.getLock(name).lock(); // no leaseTime: watchdog mode
    const ttl0 = await a.getLock(name).remainTimeToLive();
    expect(ttl0).toBeLessThanOrEqual(600);
    await sleepMs(1_500); // 2.5 leases
    expect(await a.getLock(name).isHeldByThread(held.threadId)).toBe(true);
    expect(await b.getLock(name).tryLock()).toBeUndefined();
    await held.unlock();
    expect(a.watchdog.size).toBe(0);
    const next = await b.getLock(name).tryLock({ leaseTime: 1_000 });
    expect(next).toBeDefined();
    await next!.unlock();
  });

  it('a crashed holder (watchdog stopped) loses the lock within one watchdog lease', async () => {
    const logger = recordingLogger();
    const a = await client({ lockWatchdogTimeout: 400, logger });
    const b = await client();
    const name = `${prefix}crash`;
    await a.getLock(name).lock();
    a.watchdog.stop(); // the process "dies": renewals stop
    const started = Date.now();
    const got = await b.getLock(name).tryLock({ waitTime: 3_000, leaseTime: 1_000 });
    expect(got).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    await got!.unlock();
  });

  it('a waiter is woken by the unlock message, not by its lease running out', async () => {
    const a = await client();
    const b = await client();
    const name = `${prefix}wake`;
    const held = await a.getLock(name).lock({ leaseTime: 30_000 });
    setTimeout(() => void held.unlock(), 200);
    const started = Date.now();
    const got = await b.getLock(name).tryLock({ waitTime: 10_000, leaseTime: 1_000 });
    expect(got).toBeDefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    await got!.unlock();
  });

  it('publishes "0" on redisson_lock__channel:{name} on the last release only', async () => {
    const c = await client();
    const name = `${prefix}channel`;
    const listener = await conns.open();
    const messages: string[] = [];
    listener.on('message', (channel: string, message: string) => messages.push(`${channel}=${message}`));
    await listener.subscribe(lockChannelName(name));
    const first = await c.getLock(name).lock({ leaseTime: 5_000 });
    const second = await c.getLock(name).lock({ leaseTime: 5_000, threadId: first.threadId });
    await second.unlock();
    await first.unlock();
    await sleepMs(100);
    expect(messages).toEqual([`redisson_lock__channel:{${name}}=0`]);
  });

  it('fencing tokens increase with every fresh acquisition and stay on re-entry', async () => {
    const a = await client();
    const b = await client();
    const name = `${prefix}fence`;
    const h1 = await a.getLock(name).lock({ leaseTime: 5_000, fenced: true });
    const h1b = await a.getLock(name).lock({ leaseTime: 5_000, fenced: true, threadId: h1.threadId });
    expect(h1b.fencingToken).toBe(h1.fencingToken);
    await h1b.unlock();
    await h1.unlock();
    const h2 = await b.getLock(name).lock({ leaseTime: 5_000, fenced: true });
    expect(h2.fencingToken).toBeGreaterThan(h1.fencingToken!);
    await h2.unlock();
    const plain = await b.getLock(name).lock({ leaseTime: 5_000 });
    expect(plain.fencingToken).toBeUndefined();
    await plain.unlock();
  });
});

/**
 * A cache must never be a hard dependency: with its Redis killed (a private redis-server, so
 * the shared one is left alone), `get` still answers from the loader within the Redis timeout,
 * caches nothing, counts the bypasses, and goes back to caching once Redis is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@silk/stack/java-fixture';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from './index.js';

let port = 0;
let server: ChildProcess | undefined;
let redis: Redis;
let subscriber: Redis;
let cache: Cache<string, { id: string; n: number }>;
let loads = 0;

function startRedis(): Promise<void> {
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  return waitForPing(true);
}

async function killRedis(): Promise<void> {
  const s = server;
  if (!s || s.exitCode !== null) return;
  const gone = new Promise((r) => s.once('exit', r));
  s.kill('SIGKILL');
  await gone;
}

/** Polls a throwaway connection until Redis answers (or stops answering). */
async function waitForPing(up: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const ok = await probe
      .connect()
      .then(() => probe.ping())
      .then(
        () => true,
        () => false,
      );
    probe.disconnect();
    if (ok === up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`private redis-server on ${port} did not come ${up ? 'up' : 'down'}`);
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  redis = new Redis({ port });
  subscriber = new Redis({ port });
  // Connection errors while Redis is down are the point of the test, not news.
  for (const c of [redis, subscriber]) c.on('error', () => undefined);
  cache = new Cache({
    name: 'redis-down',
    redis,
    subscriber,
    redisTimeoutMs: 300,
    local: false,
    loader: (id: string) => {
      loads++;
      return Promise.resolve({ id, n: loads });
    },
    logger: { warn: () => undefined, error: () => undefined },
  });
}, 30_000);

afterAll(async () => {
  await cache?.stop();
  redis?.disconnect();
  subscriber?.disconnect();
  await killRedis();
});

describe('the cache with its Redis killed', () => {
  it('caches while Redis is up', async () => {
    const first = await cache.get('a');
    expect(await cache.get('a')).toEqual(first);
    expect(loads).toBe(1);
    expect(await redis.exists('silk:cache:redis-down:a')).toBe(1);
  });

  it('answers from the loader, uncached, within the timeout when Redis is gone', async () => {
    await killRedis();
    const before = cache.stats().redisBypasses;
    const started = Date.now();
    const b1 = await cache.get('b');
    const b2 = await cache.get('b');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(b1?.id).toBe('b');
    // Each read went to the loader: nothing could be cached.
    expect(b2?.n).toBe((b1?.n ?? 0) + 1);
    expect(cache.stats().redisBypasses - before).toBe(2);
  });

  it('caches again once Redis is back', async () => {
    await startRedis();
    await expect
      .poll(
        async () => {
          await cache.get('c');
          return redis.exists('silk:cache:redis-down:c').catch(() => 0);
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(1);
    const loadsNow = loads;
    await cache.get('c');
    expect(loads).toBe(loadsNow);
  });
});

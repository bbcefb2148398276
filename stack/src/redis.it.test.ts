import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { host, redis } from './config.js';

let client: Redis;

beforeAll(async () => {
  client = new Redis({ host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await client.connect().catch((err: unknown) => {
    throw new Error(`Redis not reachable on ${host}:${redis.port} — run \`pnpm stack up\` (${String(err)})`);
  });
});

afterAll(() => {
  client?.disconnect();
});

describe('Redis started by the stack', () => {
  it('is a real Redis server', async () => {
    const info = await client.info('server');
    expect(info).toMatch(/redis_version:\d+\.\d+/);
  });

  it('stores with expiry, runs Lua and delivers pub/sub', async () => {
    const key = `silk:stack-probe:${process.pid}`;
    await client.set(key, 'v', 'PX', 5000);
    expect(await client.get(key)).toBe('v');
    expect(await client.pttl(key)).toBeGreaterThan(0);
    // Redisson-style locks and rate limiters depend on server-side scripts.
    expect(await client.eval("return redis.call('incrby', KEYS[1], ARGV[1])", 1, `${key}:n`, 41)).toBe(41);

    const sub = client.duplicate();
    sub.on('error', () => undefined);
    const got = new Promise<string>((resolve) =>
      sub.on('message', (_ch: string, msg: string) => resolve(msg)),
    );
    await sub.subscribe(`${key}:ch`);
    await client.publish(`${key}:ch`, 'hello');
    expect(await got).toBe('hello');
    sub.disconnect();
    await client.del(key, `${key}:n`);
  });
});

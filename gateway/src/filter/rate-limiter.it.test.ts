/**
 * The Redis token bucket against the real Redis: the keys and values a Spring Cloud Gateway
 * would read and write, a bucket shared with what a Java gateway left in Redis, and the admitted
 * rate under load through the gateway within 5% of replenishRate.
 */
import { redis as redisConfig } from '@silk/stack/config';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type GatewayUnderTest, type Upstream } from '../test-support.js';
import { RedisRateLimiter, rateLimiterKeys } from './rate-limiter.js';

const redis = new Redis({ port: redisConfig.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
const route = `rl-it-${process.pid}`;
let up: Upstream;
let gw: GatewayUnderTest;

beforeAll(async () => {
  await redis.connect().catch((err: unknown) => {
    throw new Error(`Redis not reachable on ${redisConfig.port} — run \`pnpm stack up\` (${String(err)})`);
  });
  up = await startUpstream('up');
  gw = await startGateway(
    { rateLimiter: new RedisRateLimiter(redis) },
    `
spring.cloud.gateway.routes:
  - id: ${route}
    uri: ${up.origin}
    predicates: [Path=/limited/**]
    filters:
      - name: RequestRateLimiter
        args:
          key-resolver: "#{@ipKeyResolver}"
          redis-rate-limiter.replenishRate: 50
          redis-rate-limiter.burstCapacity: 50
          redis-rate-limiter.requestedTokens: 1
`,
  );
});

afterAll(async () => {
  await gw?.close();
  await up?.close();
  const keys = await redis.keys(`request_rate_limiter.{rl-it-${process.pid}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('RedisRateLimiter against Redis', () => {
  it('writes the token and timestamp keys with Java\'s values and TTL', async () => {
    const limiter = new RedisRateLimiter(redis);
    const cfg = { replenishRate: 2, burstCapacity: 5, requestedTokens: 2 };
    const [tokensKey, tsKey] = rateLimiterKeys(`${route}-keys`, 'u1');
    const first = await limiter.isAllowed(`${route}-keys`, 'u1', cfg);
    expect(first).toMatchObject({ allowed: true, tokensLeft: 3 });
    expect(first.headers).toEqual({
      'X-RateLimit-Remaining': '3',
      'X-RateLimit-Replenish-Rate': '2',
      'X-RateLimit-Burst-Capacity': '5',
      'X-RateLimit-Requested-Tokens': '2',
    });
    expect(await redis.get(tokensKey)).toBe('3');
    const [seconds] = (await redis.time()) as unknown as [string, string];
    expect(Math.abs(Number(await redis.get(tsKey)) - Number(seconds))).toBeLessThanOrEqual(1);
    // ttl = floor(capacity / rate * 2) = 5 s
    expect(await redis.ttl(tokensKey)).toBeGreaterThan(3);
    expect(await redis.ttl(tokensKey)).toBeLessThanOrEqual(5);
    await limiter.isAllowed(`${route}-keys`, 'u1', cfg);
    const third = await limiter.isAllowed(`${route}-keys`, 'u1', cfg);
    expect(third).toMatchObject({ allowed: false, tokensLeft: 1 });
  });

  it('shares a bucket with a Java gateway: an empty bucket left in Redis blocks Silk too', async () => {
    const [tokensKey, tsKey] = rateLimiterKeys(route, '127.0.0.1');
    const [seconds] = (await redis.time()) as unknown as [string, string];
    // What Java's script leaves after draining the bucket this second.
    await redis.setex(tokensKey, 2, '0');
    await redis.setex(tsKey, 2, seconds);
    const res = await request(`${gw.url}/limited/x`);
    const nowSeconds = Number(((await redis.time()) as unknown as [string, string])[0]);
    // Unless the second turned meanwhile (then 50 tokens came back), the request is refused.
    // The second may also turn after the limiter ran but before the time is read here: then
    // either answer is right, and a refusal must still be the limiter's.
    if (nowSeconds === Number(seconds) || res.statusCode === 429) {
      expect(res.statusCode).toBe(429);
      expect(res.headers['x-ratelimit-remaining']).toBe('0');
      expect(await res.body.json()).toMatchObject({ code: 'SILK_GATEWAY_RATE_LIMITED' });
    } else {
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    await redis.del(tokensKey, tsKey);
  });

  it('admits replenishRate per second under load, within 5%', async () => {
    const admittedAt: number[] = [];
    let refused = 0;
    const end = Date.now() + 6500;
    const worker = async (): Promise<void> => {
      while (Date.now() < end) {
        const res = await request(`${gw.url}/limited/x`);
        await res.body.dump();
        if (res.statusCode === 200) admittedAt.push(Date.now());
        else if (res.statusCode === 429) refused++;
        else throw new Error(`unexpected status ${res.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // The bucket refills once per Redis second; count whole seconds after the first (which
    // also spends the initial burst) and before the last (cut short).
    const bySecond = new Map<number, number>();
    for (const t of admittedAt) bySecond.set(Math.floor(t / 1000), (bySecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    const seconds = [...bySecond.keys()].sort((a, b) => a - b).slice(1, -1);
    const admitted = seconds.reduce((s, k) => s + bySecond.get(k)!, 0);
    const rate = admitted / seconds.length;
    expect(refused).toBeGreaterThan(admitted);
    expect(seconds.length).toBeGreaterThanOrEqual(4);
    expect(Math.abs(rate - 50) / 50).toBeLessThan(0.05);
  }, 30_000);
});

/**
 * A Java Spring Cloud Gateway (interop/java/scg-app: SCG 4.3 server-webflux, its Redis
 * RequestRateLimiter) and the Silk gateway on one route id and one Redis: the Java gateway's
 * keys are the ones Silk reads and writes, and requests alternating between the two draw on a
 * single bucket — together they admit what one gateway would, not twice as much.
 */
import { redis as redisConfig } from '@silk/stack/config';
import { buildJavaFixture, freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter, rateLimiterKeys } from './filter/rate-limiter.js';
import { startGateway, startUpstream, type GatewayUnderTest, type Upstream } from './test-support.js';

const route = `scg-shared-${process.pid}`;
const REPLENISH = 5;
const BURST = 10;
const redis = new Redis({ port: redisConfig.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
let up: Upstream;
let silk: GatewayUnderTest;
let java: JavaProcess;
let javaUrl = '';

const status = async (base: string) => (await request(`${base}/limited/x`)).statusCode;

async function clearBucket(): Promise<void> {
  const keys = await redis.keys(`request_rate_limiter.{${route}*`);
  if (keys.length > 0) await redis.del(...keys);
}

beforeAll(async () => {
  await redis.connect().catch((err: unknown) => {
    throw new Error(`Redis not reachable on ${redisConfig.port} — run \`pnpm stack up\` (${String(err)})`);
  });
  up = await startUpstream('up');
  const jar = buildJavaFixture('scg-app', 'scg-app.jar');
  const port = await freePort();
  java = spawnJava(jar, [
    `--server.port=${port}`,
    `--silk.route-id=${route}`,
    `--silk.upstream=${up.origin}`,
    `--silk.replenish-rate=${REPLENISH}`,
    `--silk.burst-capacity=${BURST}`,
    `--spring.data.redis.port=${redisConfig.port}`,
  ]);
  javaUrl = `http://127.0.0.1:${port}`;
  await java.waitForOutput(/Started ScgInteropApp/, 180_000);
  silk = await startGateway(
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
          redis-rate-limiter.replenishRate: ${REPLENISH}
          redis-rate-limiter.burstCapacity: ${BURST}
          redis-rate-limiter.requestedTokens: 1
`,
  );
}, 600_000);

afterAll(async () => {
  await java?.stop();
  await silk?.close();
  await up?.close();
  await clearBucket().catch(() => undefined);
  redis.disconnect();
});

describe('a Java Spring Cloud Gateway and the Silk gateway share one Redis rate limit', () => {
  it('the Java gateway writes the keys Silk uses for the same route and caller', async () => {
    await clearBucket();
    expect(await status(javaUrl)).toBe(200);
    const keys = rateLimiterKeys(route, '127.0.0.1');
    expect(await redis.exists(keys[0], keys[1])).toBe(2);
    expect(Number(await redis.get(keys[0]))).toBe(BURST - 1);
  });

  it('admits about one bucket in total across both gateways, and both refuse with 429 past it', async () => {
    await clearBucket();
    const seen = { java: { ok: 0, limited: 0 }, silk: { ok: 0, limited: 0 } };
    const start = performance.now();
    for (let i = 0; i < 40; i++) {
      const which = i % 2 === 0 ? 'java' : 'silk';
      const s = await status(which === 'java' ? javaUrl : silk.url);
      expect([200, 429]).toContain(s);
      if (s === 200) seen[which].ok++;
      else seen[which].limited++;
    }
    const elapsedS = (performance.now() - start) / 1000;
    const admitted = seen.java.ok + seen.silk.ok;
    // One shared bucket: the burst plus what refilled meanwhile. The script's clock is Redis
    // TIME in whole seconds, so each second boundary crossed refills REPLENISH at once. Two separate buckets would admit twice the burst and refill.
    expect(admitted, JSON.stringify({ seen, elapsedS })).toBeLessThanOrEqual(BURST + REPLENISH * Math.ceil(elapsedS));
    expect(admitted).toBeGreaterThanOrEqual(BURST);
    expect(seen.java.ok * seen.silk.ok * seen.java.limited * seen.silk.limited, JSON.stringify(seen)).toBeGreaterThan(0);
  });
});

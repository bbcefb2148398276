/**
 * Spring Cloud Gateway's RedisRateLimiter: a token bucket kept in Redis under the keys a Java
 * gateway uses, `request_rate_limiter.{<routeId>.<key>}.tokens` and `.timestamp` (the braces
 * are a Redis Cluster hash tag; the route id has been part of the key since 4.2, gh-2288), and
 * refilled by a script with the same arithmetic, so Silk and Java gateways in one fleet draw
 * from one bucket. Time is Redis' own clock in whole seconds (`TIME`), as in Java, where the
 * script's `now` argument is always empty. Both keys live for twice the fill time.
 *
 * If Redis fails the request is admitted with `X-RateLimit-Remaining: -1`, as Java does.
 */
import type { Redis } from 'ioredis';

export interface RedisRateLimiterConfig {
  /** Tokens added per second. */
  readonly replenishRate: number;
  /** Bucket size; >= replenishRate. */
  readonly burstCapacity: number;
  /** Tokens one request takes. */
  readonly requestedTokens: number;
}

export interface RateLimitResponse {
  readonly allowed: boolean;
  readonly tokensLeft: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RateLimiter {
  isAllowed(routeId: string, id: string, config: RedisRateLimiterConfig): Promise<RateLimitResponse>;
}

export const REMAINING_HEADER = 'X-RateLimit-Remaining';
export const REPLENISH_RATE_HEADER = 'X-RateLimit-Replenish-Rate';
export const BURST_CAPACITY_HEADER = 'X-RateLimit-Burst-Capacity';
export const REQUESTED_TOKENS_HEADER = 'X-RateLimit-Requested-Tokens';

/** KEYS[1] tokens, KEYS[2] timestamp; ARGV rate, capacity, now ('' = Redis TIME), requested. */
export const TOKEN_BUCKET_LUA = `
redis.replicate_commands()
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3]) or redis.call('TIME')[1]
local requested = tonumber(ARGV[4])
local ttl = math.floor((capacity / rate) * 2)
local tokens = tonumber(redis.call('get', KEYS[1])) or capacity
local refreshed = tonumber(redis.call('get', KEYS[2])) or 0
local filled = math.min(capacity, tokens + (math.max(0, now - refreshed) * rate))
local allowed = filled >= requested
local left = filled
if allowed then left = filled - requested end
if ttl > 0 then
  redis.call('setex', KEYS[1], ttl, left)
  redis.call('setex', KEYS[2], ttl, now)
end
return { allowed and 1 or 0, left }
`;

export function rateLimiterKeys(routeId: string, id: string): [string, string] {
  const prefix = `request_rate_limiter.{${routeId}.${id}}.`;
  return [`${prefix}tokens`, `${prefix}timestamp`];
}

type ScriptRedis = Redis & {
  silkRequestRateLimiter(k1: string, k2: string, ...argv: string[]): Promise<[number, number]>;
};

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: ScriptRedis;

  constructor(
    redis: Redis,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    redis.defineCommand('silkRequestRateLimiter', { numberOfKeys: 2, lua: TOKEN_BUCKET_LUA });
    this.#redis = redis as ScriptRedis;
  }

  async isAllowed(routeId: string, id: string, config: RedisRateLimiterConfig): Promise<RateLimitResponse> {
    const [tokensKey, timestampKey] = rateLimiterKeys(routeId, id);
    try {
      const [allowed, left] = await this.#redis.silkRequestRateLimiter(
        tokensKey,
        timestampKey,
        String(config.replenishRate),
        String(config.burstCapacity),
        '',
        String(config.requestedTokens),
      );
      return { allowed: allowed === 1, tokensLeft: left, headers: headersFor(config, left) };
    } catch (err) {
      this.onError(err);
      return { allowed: true, tokensLeft: -1, headers: headersFor(config, -1) };
    }
  }
}

export function headersFor(config: RedisRateLimiterConfig, tokensLeft: number): Record<string, string> {
  return {
    [REMAINING_HEADER]: String(tokensLeft),
    [REPLENISH_RATE_HEADER]: String(config.replenishRate),
    [BURST_CAPACITY_HEADER]: String(config.burstCapacity),
    [REQUESTED_TOKENS_HEADER]: String(config.requestedTokens),
  };
}

/** RedisRateLimiter.Config's checks: replenishRate >= 1, burst >= rate, requestedTokens >= 1. */
export function validateRateLimiterConfig(c: RedisRateLimiterConfig, owner: string): RedisRateLimiterConfig {
  if (!Number.isInteger(c.replenishRate) || c.replenishRate < 1)
    throw new Error(`${owner}: redis-rate-limiter.replenishRate must be an integer >= 1`);
  if (!Number.isInteger(c.burstCapacity) || c.burstCapacity < c.replenishRate)
    throw new Error(
      `${owner}: redis-rate-limiter.burstCapacity (${c.burstCapacity}) must be >= replenishRate (${c.replenishRate})`,
    );
  if (c.burstCapacity > Number.MAX_SAFE_INTEGER)
    throw new Error(`${owner}: redis-rate-limiter.burstCapacity must not exceed ${Number.MAX_SAFE_INTEGER}`);
  if (!Number.isInteger(c.requestedTokens) || c.requestedTokens < 1)
    throw new Error(`${owner}: redis-rate-limiter.requestedTokens must be an integer >= 1`);
  return c;
}

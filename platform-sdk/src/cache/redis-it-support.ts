/**
 * Shared by the cache/lock integration tests (not exported): real Redis connections standing for
 * separate processes, a unique key prefix per run, and a clear failure when Redis is not up.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheLogger } from './logger.js';

const HOST = process.env.SILK_REDIS_HOST ?? '127.0.0.1';
const PORT = Number(process.env.SILK_REDIS_PORT ?? 6379);

/** A connected client, or an error that says how to start Redis (never a skip). */
export async function connectRedis(): Promise<Redis> {
  const redis = new Redis({
    host: HOST,
    port: PORT,
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable on ${HOST}:${PORT} (${String(error)}). ` +
        'These integration tests need the real server: start the stack with `pnpm stack up`.',
      { cause: error },
    );
  }
}

/** Tracks every connection a test opens and closes them all in `close()`. */
export class Connections {
  readonly #all: Redis[] = [];

  async open(): Promise<Redis> {
    const redis = await connectRedis();
    this.#all.push(redis);
    return redis;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#all.splice(0).map((r) => r.quit().catch(() => r.disconnect())));
  }
}

export function uniquePrefix(what: string): string {
  return `silk-it:${what}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that records warnings instead of printing them. */
export function recordingLogger(): CacheLogger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    warn: (_obj, msg) => warnings.push(msg),
    error: (_obj, msg) => errors.push(msg),
  };
}

/** Polls `check` until it holds or `ms` passes; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, ms = 2_000, every = 20): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await sleepMs(every);
  }
}

/**
 * Shared by the messaging integration tests (not exported): this run's own topics (pid-suffixed,
 * created with their message type by the stack's admin helper in one JVM) and consumer groups,
 * a check that fails clearly when the proxy is down, and a tracker that stops every client a
 * test started.
 */
import { endpoints, mariadb, redis as redisConfig, rocketmq } from '@silk/stack/config';
import mysql, { type Pool } from 'mysql2/promise';
import {
  deleteConsumerGroups,
  ensureConsumerGroups,
  ensureTopics,
  type ConsumerGroupSpec,
} from '@silk/stack/rocketmq';
import { Redis } from 'ioredis';
import type { MqLogger } from './logger.js';
import type { TopicDeclaration, TopicMessageType } from './topics.js';

export const run = `${process.pid}-${Date.now().toString(36)}`;
export const proxy = endpoints.rocketmqProxy;

/** Keeps the tests' output readable: the client's routine warnings are collected, not printed. */
export const quietLogger: MqLogger & { lines: string[] } = {
  lines: [],
  info: () => undefined,
  warn(_obj, msg) {
    this.lines.push(msg);
  },
  error(_obj, msg) {
    this.lines.push(msg);
  },
};

export function topicName(kind: string): string {
  return `silk-sdk-it-${kind}-${run}`;
}

export function groupName(kind: string): string {
  return `silk-sdk-it-${kind}-${run}`;
}

/** Creates this run's topics and groups (or fails naming the stack command to run). */
export async function declare(
  topics: readonly TopicDeclaration[],
  groups: readonly ConsumerGroupSpec[],
): Promise<void> {
  try {
    await ensureTopics(topics.map((t) => ({ name: t.name, messageType: t.messageType })));
    await ensureConsumerGroups(groups);
  } catch (err) {
    throw new Error(
      `RocketMQ not usable (proxy ${proxy}, broker ${rocketmq.brokerPort}) — run \`pnpm stack up\`: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

export async function dropGroups(groups: readonly ConsumerGroupSpec[]): Promise<void> {
  await deleteConsumerGroups(groups.map((g) => g.name));
}

export function topic(kind: string, messageType: TopicMessageType): TopicDeclaration {
  return { name: topicName(kind), messageType };
}

export async function connectRedis(): Promise<Redis> {
  const redis = new Redis({ port: redisConfig.port, lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis not reachable on ${redisConfig.port} — run \`pnpm stack up\``, { cause: err });
  }
}

/** Stops every started component in reverse order. */
export class Started {
  private readonly all: { stop(): Promise<void> }[] = [];

  async add<T extends { start(): Promise<void> | void; stop(): Promise<void> }>(c: T): Promise<T> {
    await c.start();
    this.all.push(c);
    return c;
  }

  async stopAll(): Promise<void> {
    for (const c of this.all.reverse()) await c.stop().catch(() => undefined);
    this.all.length = 0;
  }
}

/** Resolves when `check` holds, polling; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pool on silk_test (fails clearly when MariaDB is down). */
export async function testPool(): Promise<Pool> {
  const pool = mysql.createPool({
    host: '127.0.0.1',
    port: mariadb.port,
    user: mariadb.user,
    password: mariadb.password,
    database: 'silk_test',
    connectionLimit: 4,
  });
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (err) {
    await pool.end();
    throw new Error(`MariaDB not reachable on ${mariadb.port} — run \`pnpm stack up\``, { cause: err });
  }
}

/**
 * Shared by the messaging integration tests (not exported): this run's own topics (pid-suffixed,
 * created with their message type by the stack's admin helper in one JVM) and consumer groups,
 * a check that fails clearly when the proxy is down, a tracker that stops every client a test
 * started, and `messagingSuite`, which wires all of that into a test file's hooks.
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
import { afterAll, beforeAll } from 'vitest';
import { MessageConsumer, type ConsumerOptions, type MessageHandler } from './consumer.js';
import { MessageProducer, type ProducerOptions } from './producer.js';
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

export type SuiteProducerOptions = Omit<ProducerOptions, 'endpoints' | 'topics'>;

/**
 * A test file's messaging fixtures: in beforeAll its topics and groups are declared and, unless
 * `producer` is false, a producer for all its topics is started; in afterAll every client it
 * started is stopped and its groups dropped. Hooks a file registers after calling this run
 * after this one's beforeAll and before its afterAll (vitest runs after-hooks as a stack).
 */
export function messagingSuite(spec: {
  topics: readonly TopicDeclaration[];
  groups: readonly ConsumerGroupSpec[];
  producer?: SuiteProducerOptions | false;
}) {
  const started = new Started();
  let producer: MessageProducer | undefined;
  beforeAll(async () => {
    await declare(spec.topics, spec.groups);
    if (spec.producer !== false) producer = await suite.producer(spec.producer ?? {});
  }, 300_000);
  afterAll(async () => {
    await started.stopAll();
    await dropGroups(spec.groups);
  }, 120_000);

  const suite = {
    started,
    /** The suite's producer (started in beforeAll). */
    get sender(): MessageProducer {
      if (!producer) throw new Error('messagingSuite: no producer (producer: false, or beforeAll failed)');
      return producer;
    },
    /** Starts another producer of the suite's topics, stopped in afterAll. */
    producer(options: SuiteProducerOptions): Promise<MessageProducer> {
      return started.add(
        new MessageProducer({ endpoints: proxy, topics: spec.topics, logger: quietLogger, ...options }),
      );
    },
    /** Starts a consumer, stopped in afterAll. */
    consumer(options: Omit<ConsumerOptions, 'endpoints'>): Promise<MessageConsumer> {
      return started.add(new MessageConsumer({ endpoints: proxy, logger: quietLogger, ...options }));
    },
    /**
     * Starts a consumer of `%DLQ%<group>`. The broker creates that topic when it dead-letters
     * the group's first message, so starting is retried until it exists.
     */
    async deadLetterConsumer(group: string, consumerGroup: string, handler: MessageHandler) {
      const deadline = Date.now() + 45_000;
      for (;;) {
        try {
          return await suite.consumer({
            consumerGroup,
            subscriptions: [{ topic: `%DLQ%${group}` }],
            handler,
          });
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await sleep(1000);
        }
      }
    },
  };
  return suite;
}

/** A silk_test pool for the file, opened in beforeAll; `tables()` are dropped and the pool ended in afterAll. */
export function testDatabase(tables: () => readonly string[]): { readonly pool: Pool } {
  let pool: Pool | undefined;
  beforeAll(async () => {
    pool = await testPool();
  }, 60_000);
  afterAll(async () => {
    if (!pool) return;
    const names = tables();
    if (names.length > 0) await pool.query(`DROP TABLE IF EXISTS ${names.map((t) => `\`${t}\``).join(', ')}`);
    await pool.end();
  }, 60_000);
  return {
    get pool(): Pool {
      if (!pool) throw new Error('testDatabase: the pool opens in beforeAll');
      return pool;
    },
  };
}

/**
 * Invalidation over the real RocketMQ: a writer changes the source of truth and sends a message
 * (tag = cache name, keys = cache keys) on this run's topic; a Silk consumer evicts those keys,
 * and every instance of the cache — the consumer's and another one with its own connections —
 * then answers the new value. The writer is the official Java RocketMQ client
 * (interop/java/rocketmq-client) in one test and Silk's own producer in the other.
 */
import { endpoints } from '@silk/stack/config';
import { buildJavaFixture, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { deleteConsumerGroups, ensureConsumerGroups, ensureTopics } from '@silk/stack/rocketmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageConsumer, MessageProducer, type MqLogger } from '../rocketmq/index.js';
import { Cache } from './cache.js';
import {
  cacheInvalidationHandler,
  cacheInvalidationMessage,
  cacheInvalidationSubscription,
} from './mq-invalidation.js';
import {
  Connections,
  deleteByPrefix,
  eventually,
  recordingLogger,
  uniquePrefix,
} from './redis-it-support.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const topic = `silk-cache-inval-it-${run}`;
const group = `silk-cache-inval-it-${run}`;
const cacheName = `products-${run}`;
const prefix = uniquePrefix('mq-inval');
const conns = new Connections();
const quiet: MqLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const javas: JavaProcess[] = [];
const stops: { stop(): Promise<void> }[] = [];
let jar: string;

/** The source of truth the writers change; the caches load from it. */
const source = new Map<string, string>();
let a: Cache<string, string>;
let b: Cache<string, string>;

async function instance(): Promise<Cache<string, string>> {
  const cache = new Cache<string, string>({
    name: cacheName,
    redis: await conns.open(),
    subscriber: await conns.open(),
    keyPrefix: prefix,
    logger: recordingLogger(),
    loader: (key) => Promise.resolve(source.get(key)),
  });
  await cache.start();
  stops.push(cache);
  return cache;
}

beforeAll(async () => {
  jar = buildJavaFixture('rocketmq-client', 'rocketmq-client.jar');
  try {
    await ensureTopics([{ name: topic, messageType: 'NORMAL' }]);
    await ensureConsumerGroups([{ name: group }]);
  } catch (err) {
    throw new Error(`RocketMQ not usable (proxy ${endpoints.rocketmqProxy}) — run \`pnpm stack up\``, {
      cause: err,
    });
  }
  a = await instance();
  b = await instance();
  const consumer = new MessageConsumer({
    endpoints: endpoints.rocketmqProxy,
    consumerGroup: group,
    subscriptions: [cacheInvalidationSubscription([a], topic)],
    handler: cacheInvalidationHandler([a], recordingLogger()),
    logger: quiet,
  });
  await consumer.start();
  stops.push(consumer);
}, 600_000);

afterAll(async () => {
  for (const j of javas) await j.stop(2000);
  for (const s of stops.reverse()) await s.stop().catch(() => undefined);
  await deleteConsumerGroups([group]).catch(() => undefined);
  await deleteByPrefix(await conns.open(), prefix);
  await conns.closeAll();
}, 120_000);

/** Reads every key on both instances (filling Redis and both L1s) and returns what they saw. */
async function readAll(keys: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const cache of [a, b]) for (const k of keys) out.push((await cache.get(k)) ?? '<none>');
  return out;
}

describe('cache invalidation over RocketMQ', () => {
  it('a Java writer (RocketMQ Java client) invalidates keys that both Silk instances then reload', async () => {
    const keys = [0, 1, 2].map((i) => `jk-${run}-${i}`);
    for (const k of keys) source.set(k, `old-${k}`);
    expect(await readAll(keys)).toEqual([...keys, ...keys].map((k) => `old-${k}`));
    // The Java side's write: the source changes; the caches still hold the old values.
    for (const k of keys) source.set(k, `new-${k}`);
    expect(await readAll(keys)).toEqual([...keys, ...keys].map((k) => `old-${k}`));

    const java = spawnJava(
      jar,
      ['produce', endpoints.rocketmqProxy, topic, '3', cacheName, `jk-${run}`],
      ['-Xmx256m', '-XX:+UseSerialGC'],
    );
    javas.push(java);
    await java.waitForOutput(/^DONE$/m, 120_000);

    const fresh = await eventually(
      async () => (await readAll(keys)).every((v, i) => v === `new-${keys[i % keys.length]}`),
      60_000,
      100,
    );
    expect(fresh).toBe(true);
    expect(b.stats().remoteInvalidations).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it("Silk's own publisher helper: one message evicts every key it names, and only those", async () => {
    const keys = ['s-1', 's-2', 's-3'].map((k) => `${k}-${run}`);
    for (const k of keys) source.set(k, `old-${k}`);
    await readAll(keys);
    for (const k of keys) source.set(k, `new-${k}`);

    const producer = new MessageProducer({
      endpoints: endpoints.rocketmqProxy,
      topics: [{ name: topic, messageType: 'NORMAL' }],
      logger: quiet,
    });
    await producer.start();
    stops.push(producer);
    await producer.send(cacheInvalidationMessage(cacheName, keys.slice(0, 2), topic));

    const fresh = await eventually(
      async () =>
        (await a.get(keys[1]!)) === `new-${keys[1]}` && (await b.get(keys[0]!)) === `new-${keys[0]}`,
      60_000,
      100,
    );
    expect(fresh).toBe(true);
    expect(await readAll(keys)).toEqual([
      `new-${keys[0]}`,
      `new-${keys[1]}`,
      `old-${keys[2]}`,
      `new-${keys[0]}`,
      `new-${keys[1]}`,
      `old-${keys[2]}`,
    ]);
  }, 120_000);
});

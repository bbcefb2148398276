/**
 * Fault test, caused for real: the stack's RocketMQ (name server and broker+proxy JVM) is
 * stopped while a service keeps committing business changes with outbox events, then started
 * again. Every event is delivered after the restart (counted by event id), and the idempotent
 * consumer applies each exactly once. The broker is restored in afterAll even when the test
 * fails. Slow (two JVM restarts' worth); nothing else in the repository uses RocketMQ, so
 * stopping it costs other tests nothing but time.
 */
import { allServers } from '@silk/stack/servers';
import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotent, Outbox, OutboxRelay, EVENT_ID_PROPERTY } from './index.js';
import {
  connectRedis,
  groupName,
  messagingSuite,
  quietLogger,
  run,
  sleep,
  testDatabase,
  topic,
  until,
} from './it-support.js';

const rocketmqServer = allServers.find((s) => s.name === 'rocketmq')!;
const events = topic('outage', 'NORMAL');
const group = { name: groupName('outage') };
const outbox = new Outbox({ table: `silk_outbox_outage_${process.pid}` });
const db = testDatabase(() => [outbox.table]);
const suite = messagingSuite({ topics: [events], groups: [group], producer: false });
let pool: Pool;
let redis: Redis;

beforeAll(async () => {
  pool = db.pool;
  redis = await connectRedis();
  await outbox.ensureTable(pool);
}, 60_000);

// Registered after the suite's hooks, so it runs first: the broker is back before the suite
// stops its clients and drops its groups.
afterAll(async () => {
  // Whatever happened, leave the broker running for everyone after us.
  await rocketmqServer.start();
  const keys = await redis.keys(`silk:mq:dedupe:outage-${run}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}, 400_000);

async function writeEvent(i: number): Promise<string> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const { eventId } = await outbox.add(conn, {
      topic: events.name,
      body: `event ${i}`,
      keys: [`order-${i}`],
    });
    await conn.commit();
    return eventId;
  } finally {
    conn.release();
  }
}

describe('broker outage while events are published through the outbox', () => {
  it('delivers every event after the broker is back, each applied exactly once', async () => {
    const applied = new Map<string, number>();
    let duplicates = 0;
    const producer = await suite.producer({});
    await suite.consumer({
      consumerGroup: group.name,
      subscriptions: [{ topic: events.name }],
      backoff: { kind: 'exponential', initialMs: 1000, maxMs: 5000, multiplier: 2 },
      handler: idempotent(redis, { namespace: `outage-${run}`, onDuplicate: () => duplicates++ }, (m) => {
        const id = m.properties[EVENT_ID_PROPERTY]!;
        applied.set(id, (applied.get(id) ?? 0) + 1);
        return Promise.resolve();
      }),
    });
    const relay = await suite.started.add(
      new OutboxRelay({ pool, outbox, send: (m) => producer.send(m), logger: quietLogger }),
    );

    const written: string[] = [];
    for (let i = 0; i < 5; i++) written.push(await writeEvent(i));
    await until(() => applied.size >= 5, 30_000, 'the events before the outage');

    await rocketmqServer.stop();
    for (let i = 5; i < 25; i++) {
      written.push(await writeEvent(i));
      await sleep(100);
    }
    await until(() => relay.stats().failedSends > 0, 60_000, 'the relay to notice the outage');
    expect(await relay.pending()).toBeGreaterThan(0);

    await rocketmqServer.start();
    await until(
      () => applied.size >= written.length,
      240_000,
      `all ${written.length} events after the restart`,
    );
    await sleep(5000);
    expect(new Set(applied.keys())).toEqual(new Set(written));
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(await relay.pending()).toBe(0);
    console.log(
      `broker outage: ${written.length} events, ${relay.stats().failedSends} failed sends retried, ${duplicates} duplicate deliveries skipped`,
    );
  }, 400_000);
});

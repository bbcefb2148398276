/**
 * RocketMQ started by the stack, driven through the gRPC proxy with `rocketmq-client-nodejs`,
 * the client Silk's messaging capability builds on: one message of each type the stack declares
 * a topic for, sent and received with a SimpleConsumer.
 *
 * Each run uses its own consumer groups (created up front in one admin JVM, deleted at the end),
 * so a failed earlier run cannot leave unacked messages in the way. A new group may start at the
 * beginning of a queue and receive older messages too: receive() helpers ack and skip everything
 * that is not this run's.
 */
import { randomUUID } from 'node:crypto';
import { Producer, SimpleConsumer, type MessageView, type TransactionChecker } from 'rocketmq-client-nodejs';
import { TransactionResolution } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, rocketmq } from './config.js';
import { deleteConsumerGroups, ensureConsumerGroups } from './servers/rocketmq.js';
import { CODE_OK, proxyQueryRoute } from './servers/rocketmq-probe.js';

const run = randomUUID().slice(0, 8);
const topic = (type: string) => {
  const t = rocketmq.topics.find((x) => x.messageType === type);
  if (!t) throw new Error(`stack/src/config.ts declares no ${type} topic`);
  return t.name;
};
const groups = {
  normal: { name: `silk-it-normal-${run}` },
  fifo: { name: `silk-it-fifo-${run}`, orderly: true },
  delay: { name: `silk-it-delay-${run}` },
  tx: { name: `silk-it-tx-${run}` },
};
const clientOptions = { endpoints: endpoints.rocketmqProxy, namespace: '' };
const started: { shutdown(): Promise<void> }[] = [];

beforeAll(async () => {
  try {
    const code = await proxyQueryRoute(rocketmq.proxyGrpcPort, topic('NORMAL'));
    if (code !== CODE_OK) throw new Error(`QueryRoute(${topic('NORMAL')}) answered code ${code}`);
  } catch (err) {
    throw new Error(
      `RocketMQ proxy not usable on ${endpoints.rocketmqProxy} — run \`pnpm stack up\` (${(err as Error).message})`,
      { cause: err },
    );
  }
  await ensureConsumerGroups(Object.values(groups));
});

afterAll(async () => {
  for (const c of started.reverse()) await c.shutdown().catch(() => undefined);
  await deleteConsumerGroups(Object.values(groups).map((g) => g.name));
});

async function startProducer(topics: string[], checker?: TransactionChecker): Promise<Producer> {
  const producer = new Producer({ ...clientOptions, topics, checker });
  await producer.startup();
  started.push(producer);
  return producer;
}

async function startConsumer(group: string, topicName: string): Promise<SimpleConsumer> {
  const consumer = new SimpleConsumer({
    ...clientOptions,
    consumerGroup: group,
    subscriptions: new Map([[topicName, '*']]),
    // The proxy long-polls at least 5 s (grpcClientConsumerMinLongPollingTimeoutMillis) and
    // refuses a receive whose deadline (requestTimeout 3 s + awaitDuration) leaves less than that.
    awaitDuration: 5000,
  });
  await consumer.startup();
  started.push(consumer);
  return consumer;
}

/**
 * Receives until `want` messages of this run arrived (property `silk-run`), acking and skipping
 * the rest. With `ackOwn` false this run's messages stay unacked (FIFO needs acks in order).
 */
async function receiveOwn(
  consumer: SimpleConsumer,
  want: number,
  timeoutMs: number,
): Promise<[MessageView, number][]> {
  const got: [MessageView, number][] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < want && Date.now() < deadline) {
    const views = await consumer.receive(16, 20_000);
    const at = Date.now();
    for (const view of views) {
      if (view.properties.get('silk-run') === run) got.push([view, at]);
      else await consumer.ack(view);
    }
  }
  return got;
}

const props = (extra: Record<string, string> = {}) => new Map(Object.entries({ 'silk-run': run, ...extra }));

describe('RocketMQ started by the stack', () => {
  it('sends a normal message with tag, keys and properties and receives it with a SimpleConsumer', async () => {
    const t = topic('NORMAL');
    const consumer = await startConsumer(groups.normal.name, t);
    const producer = await startProducer([t]);
    const body = `hello from silk ${run}`;
    const receipt = await producer.send({
      topic: t,
      body: Buffer.from(body),
      tag: 'TagA',
      keys: [`order-${run}`, 'silk'],
      properties: props({ 'x-trace': 'abc123' }),
    });
    expect(receipt.messageId).toMatch(/^[0-9A-F]+$/i);

    const got = await receiveOwn(consumer, 1, 30_000);
    expect(got).toHaveLength(1);
    const [view] = got[0]!;
    expect(view.messageId).toBe(receipt.messageId);
    expect(view.topic).toBe(t);
    expect(view.body.toString()).toBe(body);
    expect(view.tag).toBe('TagA');
    expect([...view.keys].sort()).toEqual([`order-${run}`, 'silk'].sort());
    expect(view.properties.get('x-trace')).toBe('abc123');
    await consumer.ack(view);
  });

  it('delivers a FIFO message group in send order to an orderly group', async () => {
    const t = topic('FIFO');
    const consumer = await startConsumer(groups.fifo.name, t);
    const producer = await startProducer([t]);
    for (let i = 0; i < 3; i++) {
      await producer.send({
        topic: t,
        body: Buffer.from(String(i)),
        messageGroup: `g-${run}`,
        properties: props(),
      });
    }
    const bodies: string[] = [];
    const deadline = Date.now() + 30_000;
    // One at a time: the next message of a group is only handed out once the previous is acked.
    while (bodies.length < 3 && Date.now() < deadline) {
      for (const [view] of await receiveOwn(consumer, 1, 10_000)) {
        expect(view.messageGroup).toBe(`g-${run}`);
        bodies.push(view.body.toString());
        await consumer.ack(view);
      }
    }
    expect(bodies).toEqual(['0', '1', '2']);
  });

  it('delivers a delay message after its delay, not before', async () => {
    const t = topic('DELAY');
    const consumer = await startConsumer(groups.delay.name, t);
    const producer = await startProducer([t]);
    const delayMs = 5000;
    const sentAt = Date.now();
    await producer.send({ topic: t, body: Buffer.from('later'), delay: delayMs, properties: props() });
    const got = await receiveOwn(consumer, 1, 40_000);
    expect(got).toHaveLength(1);
    const [view, receivedAt] = got[0]!;
    expect(view.deliveryTimestamp?.getTime()).toBeGreaterThanOrEqual(sentAt + delayMs);
    // The broker's timer wheel ticks once a second (timerPrecisionMs = 1000).
    expect(receivedAt).toBeGreaterThanOrEqual(sentAt + delayMs - 1000);
    await consumer.ack(view);
  });

  it('delivers a committed transactional message and never a rolled-back one', async () => {
    const t = topic('TRANSACTION');
    const consumer = await startConsumer(groups.tx.name, t);
    // The checker only runs for transactions left open; these end explicitly.
    const producer = await startProducer([t], {
      check: () => Promise.resolve(TransactionResolution.ROLLBACK),
    });

    const rolledBack = producer.beginTransaction();
    await producer.send({ topic: t, body: Buffer.from('rollback'), properties: props() }, rolledBack);
    await rolledBack.rollback();
    const committed = producer.beginTransaction();
    await producer.send({ topic: t, body: Buffer.from('commit'), properties: props() }, committed);
    await committed.commit();

    const got = await receiveOwn(consumer, 1, 30_000);
    expect(got.map(([v]) => v.body.toString())).toEqual(['commit']);
    await consumer.ack(got[0]![0]);
    // Anything else of this run within a few more seconds would be the rolled-back message.
    expect(await receiveOwn(consumer, 1, 3000)).toEqual([]);
  });
});

/**
 * Producer and consumer against the stack's real RocketMQ (proxy gRPC on 8081): each message type
 * end to end, tags/keys/properties and the request context, order per message group, the delay
 * honoured, transactions committed and rolled back, retries with back-off into the dead-letter
 * topic, and a drain on stop that loses nothing. Topics and groups are this run's own.
 */
import { describe, expect, it } from 'vitest';
import { currentContext, currentXid, runWithContext } from '../core/index.js';
import { MessageProducer, type MessageHandler, type ReceivedMessage } from './index.js';
import { groupName, messagingSuite, proxy, quietLogger, run, sleep, topic, until } from './it-support.js';

const topics = {
  normal: topic('normal', 'NORMAL'),
  fifo: topic('fifo', 'FIFO'),
  delay: topic('delay', 'DELAY'),
  tx: topic('tx', 'TRANSACTION'),
  retry: topic('retry', 'NORMAL'),
  drain: topic('drain', 'NORMAL'),
};
const groups = {
  normal: { name: groupName('normal') },
  fifo: { name: groupName('fifo'), orderly: true },
  delay: { name: groupName('delay') },
  tx: { name: groupName('tx') },
  retry: { name: groupName('retry'), retryMaxTimes: 1 },
  dlq: { name: groupName('dlq') },
  drain: { name: groupName('drain') },
};
const suite = messagingSuite({
  topics: Object.values(topics),
  groups: Object.values(groups),
  producer: { transactionChecker: () => Promise.resolve('ROLLBACK') },
});
const consumer = suite.consumer;

/** A handler that records what it saw, with the context it ran in. */
function recorder() {
  const seen: {
    message: ReceivedMessage;
    xid: string | undefined;
    traceparent: string | undefined;
    at: number;
  }[] = [];
  const handler: MessageHandler = (message) => {
    seen.push({ message, xid: currentXid(), traceparent: currentContext()?.traceparent, at: Date.now() });
    return Promise.resolve();
  };
  return { seen, handler };
}

describe('MessageProducer and MessageConsumer on the real broker', () => {
  it('carries tag, keys, properties and the request context; the consumer filters by tag', async () => {
    const { seen, handler } = recorder();
    await consumer({
      consumerGroup: groups.normal.name,
      subscriptions: [{ topic: topics.normal.name, tags: 'TagA || TagB' }],
      handler,
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const sent = await runWithContext({ xid: `127.0.0.1:8091:${run}`, traceparent }, async () => [
      await suite.sender.send({
        topic: topics.normal.name,
        body: 'a',
        tag: 'TagA',
        keys: [`order-${run}`, 'k2'],
        properties: { region: 'eu' },
      }),
      await suite.sender.send({ topic: topics.normal.name, body: 'c', tag: 'TagC' }),
      await suite.sender.send({ topic: topics.normal.name, body: 'b', tag: 'TagB' }),
    ]);
    expect(sent.map((s) => s.messageType)).toEqual(['NORMAL', 'NORMAL', 'NORMAL']);
    await until(() => seen.length >= 2, 30_000, 'TagA and TagB');
    await sleep(1500);
    expect(seen.map((s) => s.message.body.toString()).sort()).toEqual(['a', 'b']);
    const a = seen.find((s) => s.message.tag === 'TagA')!;
    expect(a.message.messageId).toBe(sent[0]!.messageId);
    expect([...a.message.keys].sort()).toEqual(['k2', `order-${run}`]);
    expect(a.message.properties.region).toBe('eu');
    expect(a.message.properties.TX_XID).toBe(`127.0.0.1:8091:${run}`);
    expect(a.xid).toBe(`127.0.0.1:8091:${run}`);
    expect(a.traceparent).toBe(traceparent);
    expect(a.message.deliveryAttempt).toBe(1);
  });

  it('keeps send order within each message group while groups run concurrently', async () => {
    const { seen, handler } = recorder();
    const slow: MessageHandler = async (m) => {
      await sleep(Math.random() * 20);
      await handler(m);
    };
    await consumer({
      consumerGroup: groups.fifo.name,
      subscriptions: [{ topic: topics.fifo.name }],
      handler: slow,
      concurrency: 8,
    });
    const perGroup = 8;
    for (let i = 0; i < perGroup; i++) {
      for (const g of ['g1', 'g2', 'g3']) {
        await suite.sender.send({ topic: topics.fifo.name, body: `${g}:${i}`, messageGroup: `${g}-${run}` });
      }
    }
    await until(() => seen.length >= perGroup * 3, 45_000, 'all FIFO messages');
    for (const g of ['g1', 'g2', 'g3']) {
      const order = seen
        .filter((s) => s.message.messageGroup === `${g}-${run}`)
        .map((s) => Number(s.message.body.toString().split(':')[1]));
      expect(order).toEqual([...Array(perGroup).keys()]);
    }
  });

  it('delivers a delayed message after its delay, not before', async () => {
    const { seen, handler } = recorder();
    await consumer({
      consumerGroup: groups.delay.name,
      subscriptions: [{ topic: topics.delay.name }],
      handler,
    });
    const sentAt = Date.now();
    const sent = await suite.sender.send({ topic: topics.delay.name, body: 'later', delayMs: 4000 });
    expect(sent.messageType).toBe('DELAY');
    await until(() => seen.length >= 1, 40_000, 'the delayed message');
    // The timer wheel ticks once a second (timerPrecisionMs = 1000).
    expect(seen[0]!.at).toBeGreaterThanOrEqual(sentAt + 4000 - 1000);
    expect(seen[0]!.message.deliverAt!.getTime()).toBeGreaterThanOrEqual(sentAt + 4000);
  });

  it('delivers a transaction whose local work succeeded, never one whose local work threw', async () => {
    const { seen, handler } = recorder();
    await consumer({ consumerGroup: groups.tx.name, subscriptions: [{ topic: topics.tx.name }], handler });
    await expect(
      suite.sender.sendInTransaction({ topic: topics.tx.name, body: 'rolled-back' }, () =>
        Promise.reject(new Error('insufficient stock')),
      ),
    ).rejects.toMatchObject({ code: 'SILK_MQ_TRANSACTION_ROLLED_BACK' });
    const { result, sent } = await suite.sender.sendInTransaction(
      { topic: topics.tx.name, body: 'committed', keys: [`tx-${run}`] },
      (half) => Promise.resolve(`order saved for ${half.messageId}`),
    );
    expect(result).toBe(`order saved for ${sent.messageId}`);
    await until(() => seen.length >= 1, 30_000, 'the committed message');
    await sleep(2000);
    expect(seen.map((s) => s.message.body.toString())).toEqual(['committed']);
    expect(seen[0]!.message.messageId).toBe(sent.messageId);
  });

  it('refuses a message whose shape does not match its topic, before sending', async () => {
    await expect(suite.sender.send({ topic: topics.fifo.name, body: 'x' })).rejects.toMatchObject({
      code: 'SILK_MQ_INVALID_MESSAGE',
    });
    await expect(suite.sender.send({ topic: topics.tx.name, body: 'x' })).rejects.toMatchObject({
      code: 'SILK_MQ_INVALID_MESSAGE',
    });
    await expect(suite.sender.send({ topic: 'nobody-declared-this', body: 'x' })).rejects.toMatchObject({
      code: 'SILK_MQ_TOPIC_UNDECLARED',
    });
  });

  it('fails to start when the cluster gives a declared topic another type', async () => {
    const wrong = new MessageProducer({
      endpoints: proxy,
      topics: [{ name: topics.normal.name, messageType: 'FIFO' }],
      logger: quietLogger,
    });
    await expect(wrong.start()).rejects.toMatchObject({ code: 'SILK_MQ_TOPIC_TYPE_MISMATCH' });
  });

  it('redelivers a failed message after back-off, then moves it to the dead-letter topic', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    await consumer({
      consumerGroup: groups.retry.name,
      subscriptions: [{ topic: topics.retry.name }],
      backoff: { kind: 'exponential', initialMs: 2000, maxMs: 2000, multiplier: 1 },
      handler: (m) => {
        attempts.push({ attempt: m.deliveryAttempt, at: Date.now() });
        return Promise.reject(new Error('always fails'));
      },
    });
    const sent = await suite.sender.send({
      topic: topics.retry.name,
      body: 'poison',
      keys: [`poison-${run}`],
    });
    // retryMaxTimes 1: the first delivery and one redelivery, then the dead-letter topic.
    await until(() => attempts.length >= 2, 40_000, 'the redelivery');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2000 - 500);

    const dead: ReceivedMessage[] = [];
    // The proxy dead-letters the message on the receive after its last redelivery.
    await suite.deadLetterConsumer(groups.retry.name, groups.dlq.name, (m) => {
      dead.push(m);
      return Promise.resolve();
    });
    await until(() => dead.length >= 1, 45_000, 'the message in %DLQ%');
    expect(dead[0]!.body.toString()).toBe('poison');
    expect(dead[0]!.keys).toContain(`poison-${run}`);
    expect(sent.messageId).toBeTruthy();
    expect(attempts).toHaveLength(2);
  });

  it('on stop finishes the handlers in flight and acks them, so nothing is redelivered', async () => {
    const done: string[] = [];
    let startedCount = 0;
    const slow: MessageHandler = async (m) => {
      startedCount++;
      await sleep(1500);
      done.push(m.body.toString());
    };
    const first = await consumer({
      consumerGroup: groups.drain.name,
      subscriptions: [{ topic: topics.drain.name }],
      handler: slow,
      concurrency: 4,
    });
    for (let i = 0; i < 4; i++) await suite.sender.send({ topic: topics.drain.name, body: `m${i}` });
    await until(() => startedCount >= 1, 30_000, 'a handler to start');
    await first.stop();
    expect(first.stats().inFlight).toBe(0);
    expect(done.length).toBe(first.stats().acked);
    // What the first consumer finished is never seen again; what it never took comes to the next one.
    const later: string[] = [];
    await consumer({
      consumerGroup: groups.drain.name,
      subscriptions: [{ topic: topics.drain.name }],
      handler: (m) => {
        later.push(m.body.toString());
        return Promise.resolve();
      },
    });
    await until(() => done.length + later.length >= 4, 40_000, 'the rest of the messages');
    await sleep(2000);
    expect([...done, ...later].sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
  });
});

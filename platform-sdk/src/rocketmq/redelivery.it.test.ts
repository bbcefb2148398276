/**
 * Redelivery edges on the real broker: a handler slower than the receive's invisible duration
 * keeps its message (the duration is extended while it runs, so a second consumer of the group
 * never gets it), and a FIFO message that keeps failing goes to the dead-letter topic after its
 * group's max attempts, after which the rest of its message group is delivered in order.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from './index.js';
import { groupName, messagingSuite, run, sleep, topic, until } from './it-support.js';

const topics = {
  lease: topic('lease', 'NORMAL'),
  fifoDlq: topic('fifo-dlq', 'FIFO'),
};
const groups = {
  lease: { name: groupName('lease') },
  fifoDlq: { name: groupName('fifo-dlq'), orderly: true, retryMaxTimes: 2 },
  fifoDead: { name: groupName('fifo-dead') },
};
const suite = messagingSuite({ topics: Object.values(topics), groups: Object.values(groups) });
const consumer = suite.consumer;

describe('redelivery edges on the real broker', () => {
  it('keeps a message from the group while a handler slower than its invisible duration runs', async () => {
    const invisibleDurationMs = 10_000;
    const handlerMs = 21_000;
    const deliveries: { by: string; attempt: number; at: number }[] = [];
    const finished: string[] = [];
    const slow = (by: string) => async (m: ReceivedMessage) => {
      deliveries.push({ by, attempt: m.deliveryAttempt, at: Date.now() });
      await sleep(handlerMs);
      finished.push(by);
    };
    // Two consumers of one group: whichever receives the message, the other must never get it.
    const a = await consumer({
      consumerGroup: groups.lease.name,
      subscriptions: [{ topic: topics.lease.name }],
      invisibleDurationMs,
      handler: slow('a'),
    });
    const b = await consumer({
      consumerGroup: groups.lease.name,
      subscriptions: [{ topic: topics.lease.name }],
      invisibleDurationMs,
      handler: slow('b'),
    });
    await suite.sender.send({ topic: topics.lease.name, body: 'slow work', keys: [`lease-${run}`] });
    await until(() => deliveries.length >= 1, 30_000, 'the first delivery');
    await until(() => finished.length >= 1, handlerMs + 10_000, 'the slow handler to finish');
    // Past the point where an unrenewed message would have come back (10 s + the broker's
    // revive scan), with room for a redelivery that the ack did not stop.
    await sleep(5000);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.attempt).toBe(1);
    const holder = deliveries[0]!.by === 'a' ? a : b;
    // Renewed at 6.7 s, 13.3 s and 20 s of the 21 s handler.
    expect(holder.stats().renewed).toBeGreaterThanOrEqual(2);
    expect(holder.stats().acked).toBe(1);
  }, 90_000);

  it('dead-letters a FIFO message after its max attempts, then delivers the rest of its group in order', async () => {
    const group = `order-${run}`;
    const seen: { body: string; attempt: number }[] = [];
    const fifo = await consumer({
      consumerGroup: groups.fifoDlq.name,
      subscriptions: [{ topic: topics.fifoDlq.name }],
      backoff: { kind: 'exponential', initialMs: 1000, maxMs: 1000, multiplier: 1 },
      handler: (m) => {
        const body = m.body.toString();
        seen.push({ body, attempt: m.deliveryAttempt });
        return body === 'poison' ? Promise.reject(new Error('cannot apply')) : Promise.resolve();
      },
    });
    const bodies = ['m0', 'poison', 'm2', 'm3', 'm4'];
    for (const body of bodies)
      await suite.sender.send({ topic: topics.fifoDlq.name, body, messageGroup: group });

    await until(() => seen.some((s) => s.body === 'm4'), 60_000, 'the messages after the poison one').catch(
      (err: Error) => {
        throw new Error(`${err.message}; seen ${JSON.stringify(seen)}`);
      },
    );
    await sleep(3000);
    // retryMaxTimes 2, announced by the proxy: three attempts at the poison message, and nothing
    // after it meanwhile.
    expect(seen.filter((s) => s.body === 'poison').map((s) => s.attempt)).toEqual([1, 2, 3]);
    const handled = seen.filter((s) => s.body !== 'poison');
    expect(handled.map((s) => s.body)).toEqual(['m0', 'm2', 'm3', 'm4']);
    const lastPoison = seen.map((s) => s.body).lastIndexOf('poison');
    expect(seen.slice(lastPoison + 1).map((s) => s.body)).toEqual(['m2', 'm3', 'm4']);

    const dead: ReceivedMessage[] = [];
    await suite.deadLetterConsumer(groups.fifoDlq.name, groups.fifoDead.name, (m) => {
      dead.push(m);
      return Promise.resolve();
    });
    expect(fifo.stats().deadLettered).toBe(1);
    await until(() => dead.length >= 1, 45_000, 'the poison message in %DLQ%');
    await sleep(1000);
    expect(dead.map((m) => m.body.toString())).toEqual(['poison']);
    expect(seen.filter((s) => s.body === 'poison')).toHaveLength(3);
  }, 180_000);
});

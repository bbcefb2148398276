/**
 * Interop with the official RocketMQ 5 Java client (rocketmq-client-java 5.0.8 from Maven
 * Central, interop/java/rocketmq-client) through the same proxy: a Java PushConsumer reads what
 * Silk sent — tag, keys, user properties with the request context, FIFO order — and Silk
 * consumes what a Java producer sent, running its handler in the XID and trace the Java side
 * put in the properties.
 */
import { buildJavaFixture, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, currentXid, runWithContext } from '../core/index.js';
import { groupName, messagingSuite, proxy, run, sleep, topic, until } from './it-support.js';

const topics = {
  toJava: topic('to-java', 'NORMAL'),
  fifoToJava: topic('fifo-to-java', 'FIFO'),
  fromJava: topic('from-java', 'NORMAL'),
};
const groups = {
  java: { name: groupName('java') },
  javaFifo: { name: groupName('java-fifo'), orderly: true },
  silk: { name: groupName('silk-from-java') },
};
const suite = messagingSuite({ topics: Object.values(topics), groups: Object.values(groups) });
const javas: JavaProcess[] = [];
let jar: string;

beforeAll(() => {
  jar = buildJavaFixture('rocketmq-client', 'rocketmq-client.jar');
}, 600_000);

// Registered after the suite's: runs before its clients are stopped.
afterAll(async () => {
  for (const j of javas) await j.stop(2000);
}, 60_000);

function java(args: string[]): JavaProcess {
  const p = spawnJava(jar, args, ['-Xmx256m', '-XX:+UseSerialGC']);
  javas.push(p);
  return p;
}

interface JavaSeen {
  id: string;
  tag: string;
  keys: string[];
  group: string;
  attempt: number;
  props: Record<string, string>;
  body: string;
}

function parseMsgLines(output: string): JavaSeen[] {
  return [...output.matchAll(/^MSG\t(.*)$/gm)].map((m) => {
    const [id, tag, keys, group, attempt, props, body] = m[1]!.split('\t') as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      id,
      tag,
      keys: keys === '' ? [] : keys.split(','),
      group,
      attempt: Number(attempt),
      props: Object.fromEntries(new URLSearchParams(props)),
      body: decodeURIComponent(body.replace(/\+/g, ' ')),
    };
  });
}

describe('Silk and the RocketMQ 5 Java client on one broker', () => {
  it('a Java PushConsumer reads the tag, keys and properties Silk sent, filtered by tag', async () => {
    const consumer = java(['consume', proxy, topics.toJava.name, groups.java.name, 'TagA', '2']);
    await consumer.waitForOutput(/^READY$/m, 120_000);
    // The Java PushConsumer assigns queues after it starts; give it a moment to subscribe.
    await sleep(3000);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const sent = await runWithContext({ xid: `192.168.0.1:8091:${run}`, traceparent }, async () => [
      await suite.sender.send({
        topic: topics.toJava.name,
        body: 'pay order 1 ✓',
        tag: 'TagA',
        keys: ['order-1', `run-${run}`],
        properties: { 'x-amount': '42.50' },
      }),
      await suite.sender.send({ topic: topics.toJava.name, body: 'not for java', tag: 'TagB' }),
      await suite.sender.send({
        topic: topics.toJava.name,
        body: 'pay order 2',
        tag: 'TagA',
        keys: ['order-2'],
      }),
    ]);
    await consumer.waitForOutput(/^DONE$/m, 60_000);
    const seen = parseMsgLines(consumer.output);
    expect(seen.map((s) => s.id).sort()).toEqual([sent[0]!.messageId, sent[2]!.messageId].sort());
    const first = seen.find((s) => s.id === sent[0]!.messageId)!;
    expect(first.tag).toBe('TagA');
    expect(first.keys.sort()).toEqual(['order-1', `run-${run}`].sort());
    expect(first.body).toBe('pay order 1 ✓');
    expect(first.attempt).toBe(1);
    expect(first.props).toMatchObject({
      TX_XID: `192.168.0.1:8091:${run}`,
      traceparent,
      'x-amount': '42.50',
    });
  }, 240_000);

  it('a Java orderly consumer gets a Silk message group in send order', async () => {
    const consumer = java(['consume', proxy, topics.fifoToJava.name, groups.javaFifo.name, '*', '10']);
    await consumer.waitForOutput(/^READY$/m, 120_000);
    await sleep(3000);
    for (let i = 0; i < 10; i++)
      await suite.sender.send({
        topic: topics.fifoToJava.name,
        body: String(i),
        messageGroup: `order-${run}`,
      });
    await consumer.waitForOutput(/^DONE$/m, 60_000);
    const seen = parseMsgLines(consumer.output);
    expect(seen.map((s) => s.group)).toEqual(Array(10).fill(`order-${run}`));
    expect(seen.map((s) => Number(s.body))).toEqual([...Array(10).keys()]);
  }, 240_000);

  it('Silk consumes what a Java producer sent, in the context the Java side put in properties', async () => {
    const seen: {
      tag?: string;
      keys: readonly string[];
      props: Readonly<Record<string, string>>;
      body: string;
      xid?: string;
      traceparent?: string;
    }[] = [];
    await suite.consumer({
      consumerGroup: groups.silk.name,
      subscriptions: [{ topic: topics.fromJava.name, tags: 'JavaTag' }],
      handler: (m) => {
        seen.push({
          tag: m.tag,
          keys: m.keys,
          props: m.properties,
          body: m.body.toString(),
          xid: currentXid(),
          traceparent: currentContext()?.traceparent,
        });
        return Promise.resolve();
      },
    });
    const javaProducer = java(['produce', proxy, topics.fromJava.name, '3', 'JavaTag', `jk-${run}`]);
    await javaProducer.waitForOutput(/^DONE$/m, 120_000);
    const javaIds = [...javaProducer.output.matchAll(/^SENT\t(\S+)\t(\S+)$/gm)].map((m) => m[2]);
    expect(javaIds).toEqual([`jk-${run}-0`, `jk-${run}-1`, `jk-${run}-2`]);
    await until(() => seen.length >= 3, 60_000, 'the three Java messages');
    const bySeq = [...seen].sort((a, b) => Number(a.props['java-seq']) - Number(b.props['java-seq']));
    expect(bySeq.map((s) => s.body)).toEqual(['java 0', 'java 1', 'java 2']);
    for (const [i, s] of bySeq.entries()) {
      expect(s.tag).toBe('JavaTag');
      expect([...s.keys].sort()).toEqual([`jk-${run}-${i}`, 'java'].sort());
      expect(s.xid).toBe(`10.0.0.9:8091:jk-${run}`);
      expect(s.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    }
  }, 240_000);
});

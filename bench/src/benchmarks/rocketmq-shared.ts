/**
 * What the two RocketMQ benchmarks share: this run's topics and groups (created once, with the
 * stack's admin helper), the Java client fixture, and a Silk producer for filling topics.
 *
 * Consume runs each get a fresh topic and a fresh group: a new gRPC (pop) group on a topic whose
 * first message is still in the page cache starts at offset 0 (PopMessageProcessor.getInitOffset),
 * so a run can fill its topic first and then time reading all of it, with nothing else in it.
 */
import { endpoints } from '@silk/stack/config';
import { buildJavaFixture } from '@silk/stack/java-fixture';
import { deleteConsumerGroups, ensureConsumerGroups, ensureTopics } from '@silk/stack/rocketmq';
import { MessageProducer, type MqLogger } from '@silk/platform-sdk/rocketmq';

export const proxy = endpoints.rocketmqProxy;
export const MESSAGES = 3000;
export const IN_FLIGHT = 64;
export const BODY_BYTES = 256;
export const RUNS = 3;

const tag = `${process.pid}`;
export const produceTopic = `silk-bench-produce-${tag}`;
export const consumeTopic = (side: 'java' | 'silk', run: number) =>
  `silk-bench-consume-${side}-${run}-${tag}`;
export const consumeGroup = (side: 'java' | 'silk', run: number) =>
  `silk-bench-consume-${side}-${run}-${tag}`;

export const quiet: MqLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let prepared: Promise<void> | undefined;

/** Creates every topic and group the two benchmarks use, in two admin JVMs. */
export function prepare(): Promise<void> {
  prepared ??= (async () => {
    const topics = [{ name: produceTopic, messageType: 'NORMAL' as const }];
    const groups: { name: string }[] = [];
    for (let r = 0; r < RUNS; r++) {
      for (const side of ['java', 'silk'] as const) {
        topics.push({ name: consumeTopic(side, r), messageType: 'NORMAL' });
        groups.push({ name: consumeGroup(side, r) });
      }
    }
    await ensureTopics(topics);
    await ensureConsumerGroups(groups);
  })();
  return prepared;
}

export async function dropGroups(): Promise<void> {
  const names: string[] = [];
  for (let r = 0; r < RUNS; r++)
    for (const side of ['java', 'silk'] as const) names.push(consumeGroup(side, r));
  await deleteConsumerGroups(names);
}

export function javaJar(): string {
  return buildJavaFixture('rocketmq-client', 'rocketmq-client.jar');
}

export const JAVA_OPTS = ['-Xmx256m', '-XX:+UseSerialGC'];

/** Sends `count` messages with `inFlight` outstanding; returns messages per second. */
export async function silkSendAll(
  producer: MessageProducer,
  topic: string,
  count: number,
  inFlight: number,
): Promise<number> {
  const body = Buffer.alloc(BODY_BYTES);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        await producer.send({ topic, body, tag: 'bench', keys: [`b-${i}`] });
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

export async function startProducer(topics: string[]): Promise<MessageProducer> {
  const producer = new MessageProducer({
    endpoints: proxy,
    topics: topics.map((name) => ({ name, messageType: 'NORMAL' })),
    logger: quiet,
  });
  await producer.start();
  return producer;
}

/**
 * Messages per second received and acked from the stack's broker through the gRPC proxy: each
 * run fills a fresh topic with 3000 messages (Silk producer, untimed), then a fresh consumer
 * group reads all of it, timed from the first message to the last. The official Java client's
 * PushConsumer (rocketmq-client-java 5.0.8, defaults: 20 consumption threads, a local cache of
 * 1024 messages; interop/java/rocketmq-client bench-consume) beside Silk's MessageConsumer
 * (64 handlers, up to 4 receivers each asking for a batch of 32 once 32 handler slots are free,
 * acks batched per turn of the event loop) with a no-op handler. Interleaved runs.
 */
import { spawnJava } from '@silk/stack/java-fixture';
import { MessageConsumer, type MessageProducer } from '@silk/platform-sdk/rocketmq';
import type { Benchmark } from '../harness.js';
import {
  IN_FLIGHT,
  JAVA_OPTS,
  MESSAGES,
  RUNS,
  consumeGroup,
  consumeTopic,
  dropGroups,
  javaJar,
  prepare,
  proxy,
  quiet,
  silkSendAll,
  startProducer,
} from './rocketmq-shared.js';

let jar = '';
let filler: MessageProducer | undefined;
const runOf = { java: 0, silk: 0 };

async function fill(side: 'java' | 'silk'): Promise<string> {
  const topic = consumeTopic(side, runOf[side]);
  await filler!.stop().catch(() => undefined);
  filler = await startProducer([topic]);
  await silkSendAll(filler, topic, MESSAGES, IN_FLIGHT);
  return topic;
}

const bench: Benchmark = {
  name: 'rocketmq-consume',
  description:
    `Messages/s received and acked through the RocketMQ 5.5 proxy (gRPC): a fresh group reads a fresh topic of ${MESSAGES} ` +
    'messages of 256 bytes, timed first message to last: rocketmq-client-java 5.0.8 PushConsumer (defaults) beside ' +
    "Silk's MessageConsumer (SimpleConsumer underneath, 64 handlers, up to 4 receivers taking batches of 32, acks batched), no-op handlers. " +
    'Both on this 2-core machine with the broker.',
  runs: RUNS,
  better: { 'msgs/s': 'higher' },
  targets: ['Silk ≥ 0.8× the Java client'],
  cases: [
    {
      name: 'Java PushConsumer 5.0.8',
      baseline: true,
      async setup() {
        jar = javaJar();
        await prepare();
        filler = await startProducer([consumeTopic('java', 0)]);
      },
      async run() {
        const topic = await fill('java');
        const c = spawnJava(
          jar,
          ['bench-consume', proxy, topic, consumeGroup('java', runOf.java), String(MESSAGES)],
          JAVA_OPTS,
        );
        runOf.java++;
        const m = await c.waitForOutput(/^RATE\tconsume\t(\d+)\t(\d+)$/m, 300_000);
        await c.stop(5000);
        return { 'msgs/s': Number(m[1]) / (Number(m[2]) / 1000) };
      },
    },
    {
      name: 'Silk MessageConsumer',
      async setup() {
        await prepare();
      },
      async run() {
        const topic = await fill('silk');
        let count = 0;
        let first = 0;
        let last = 0;
        let done!: () => void;
        const all = new Promise<void>((r) => (done = r));
        const consumer = new MessageConsumer({
          endpoints: proxy,
          consumerGroup: consumeGroup('silk', runOf.silk),
          subscriptions: [{ topic }],
          concurrency: 64,
          receivers: 4,
          logger: quiet,
          handler: () => {
            const now = performance.now();
            if (count === 0) first = now;
            last = now;
            if (++count === MESSAGES) done();
            return Promise.resolve();
          },
        });
        runOf.silk++;
        await consumer.start();
        await Promise.race([
          all,
          new Promise((_, rej) =>
            setTimeout(() => rej(new Error(`Silk consumer got ${count}/${MESSAGES}`)), 300_000),
          ),
        ]);
        await consumer.stop();
        return { 'msgs/s': count / ((last - first) / 1000) };
      },
      async teardown() {
        await filler?.stop();
        await dropGroups();
      },
    },
  ],
};

export default bench;

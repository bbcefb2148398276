/**
 * Messages per second sent to the stack's broker through the gRPC proxy, 256-byte bodies with a
 * tag and a key, 64 sends in flight: the official Java client (rocketmq-client-java 5.0.8,
 * sendAsync, interop/java/rocketmq-client bench-produce; a fresh JVM per run after a 200-message
 * warm-up) beside Silk's MessageProducer (send, 64 concurrent loops, warmed up by the first run's
 * filling). Same topic, same broker, interleaved runs.
 */
import { spawnJava } from '@silk/stack/java-fixture';
import type { MessageProducer } from '@silk/platform-sdk/rocketmq';
import type { Benchmark } from '../harness.js';
import {
  BODY_BYTES,
  IN_FLIGHT,
  JAVA_OPTS,
  MESSAGES,
  RUNS,
  javaJar,
  prepare,
  produceTopic,
  proxy,
  silkSendAll,
  startProducer,
} from './rocketmq-shared.js';

let jar = '';
let producer: MessageProducer | undefined;

const bench: Benchmark = {
  name: 'rocketmq-produce',
  description:
    `Messages/s sent through the RocketMQ 5.5 proxy (gRPC), ${MESSAGES} messages of ${BODY_BYTES} bytes per run, ` +
    `${IN_FLIGHT} in flight: rocketmq-client-java 5.0.8 (sendAsync) beside Silk's MessageProducer on rocketmq-client-nodejs 1.0.8. ` +
    'Both on this 2-core machine with the broker.',
  runs: RUNS,
  better: { 'msgs/s': 'higher' },
  targets: ['Silk ≥ 0.8× the Java client'],
  cases: [
    {
      name: 'Java rocketmq-client-java 5.0.8',
      baseline: true,
      async setup() {
        jar = javaJar();
        await prepare();
      },
      async run() {
        const p = spawnJava(
          jar,
          ['bench-produce', proxy, produceTopic, String(MESSAGES), String(IN_FLIGHT), String(BODY_BYTES)],
          JAVA_OPTS,
        );
        const m = await p.waitForOutput(/^RATE\tproduce\t(\d+)\t(\d+)$/m, 180_000);
        await p.stop(5000);
        return { 'msgs/s': Number(m[1]) / (Number(m[2]) / 1000) };
      },
    },
    {
      name: 'Silk MessageProducer',
      async setup() {
        await prepare();
        producer = await startProducer([produceTopic]);
        await silkSendAll(producer, produceTopic, 200, 8);
      },
      async run() {
        return { 'msgs/s': await silkSendAll(producer!, produceTopic, MESSAGES, IN_FLIGHT) };
      },
      async teardown() {
        await producer?.stop();
      },
    },
  ],
};

export default bench;

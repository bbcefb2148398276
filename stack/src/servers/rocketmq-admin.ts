/**
 * Topics and consumer groups on the local RocketMQ, created with the real admin tool (mqadmin's
 * updateTopic / updateSubGroup, from rocketmq-tools) and only when missing or different: the
 * broker's own tables are read first over the remoting protocol, which costs milliseconds, while
 * one admin JVM costs seconds on two cores. All changes needed go to one JVM
 * (stack/java/rocketmq/src/MqAdminBatch.java).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { host, rocketmq, stateDir } from '../config.js';
import { javaBin, javaPomDir, resolveClasspath } from '../java.js';
import { StackError } from '../server.js';
import { waitFor } from '../process.js';
import { CODE_OK, proxyQueryRoute, remotingRequest } from './rocketmq-probe.js';

const NAME = 'rocketmq';

/** The values of the topic attribute `message.type` (TopicMessageType) a producer can match. */
export type TopicMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';

export interface TopicSpec {
  name: string;
  messageType: TopicMessageType;
  /** Read and write queue count; 4 when not given (plenty for tests, few files on disk). */
  queues?: number;
}

export interface ConsumerGroupSpec {
  name: string;
  /** Consume FIFO topics in order (consumeMessageOrderly); gRPC FIFO consumption needs it. */
  orderly?: boolean;
  /**
   * Redeliveries before a message goes to `%DLQ%<group>` (the broker's default is 16). The proxy
   * hands gRPC consumers retryMaxTimes + 1 as max attempts and dead-letters past that.
   */
  retryMaxTimes?: number;
}

const DEFAULT_QUEUES = 4;

/** RequestCode values from org.apache.rocketmq.remoting.protocol.RequestCode. */
const GET_ALL_TOPIC_CONFIG = 21;
const GET_ALL_SUBSCRIPTIONGROUP_CONFIG = 201;

interface TopicConfig {
  readQueueNums?: number;
  writeQueueNums?: number;
  attributes?: Record<string, string>;
}

interface GroupConfig {
  consumeMessageOrderly?: boolean;
  retryMaxTimes?: number;
}

const DEFAULT_RETRY_MAX_TIMES = 16;

/** Reads one of the broker's config tables (the bodies of these two answers are plain JSON). */
async function brokerTable<T>(code: number, key: string): Promise<Record<string, T>> {
  const res = await remotingRequest(rocketmq.brokerPort, code);
  if (res.code !== 0)
    throw new StackError(NAME, `broker refused to list its configs (code ${res.code}): ${res.remark ?? ''}`);
  const parsed = JSON.parse(res.body) as Record<string, Record<string, T> | undefined>;
  return parsed[key] ?? {};
}

/** Creates the topics that do not exist yet with this message type and queue count. */
export async function ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
  const existing = await brokerTable<TopicConfig>(GET_ALL_TOPIC_CONFIG, 'topicConfigTable');
  const commands = topics
    .filter((t) => {
      const have = existing[t.name];
      const queues = t.queues ?? DEFAULT_QUEUES;
      return (
        have?.attributes?.['message.type'] !== t.messageType ||
        have.readQueueNums !== queues ||
        have.writeQueueNums !== queues
      );
    })
    .map((t) => {
      const queues = String(t.queues ?? DEFAULT_QUEUES);
      return [
        'updateTopic',
        ...clusterArgs(),
        '-t',
        t.name,
        '-r',
        queues,
        '-w',
        queues,
        '-a',
        `+message.type=${t.messageType}`,
      ];
    });
  await runAdmin(commands);
  // Callers send right after this returns: wait until the proxy routes every topic.
  for (const t of topics) {
    await waitFor(async () => (await proxyQueryRoute(rocketmq.proxyGrpcPort, t.name)) === CODE_OK, {
      server: NAME,
      what: `the proxy to route topic ${t.name}`,
      timeoutMs: 30_000,
    });
  }
}

/** Creates the consumer groups that do not exist yet, or whose orderly flag or retry count differs. */
export async function ensureConsumerGroups(groups: readonly ConsumerGroupSpec[]): Promise<void> {
  const existing = await brokerTable<GroupConfig>(GET_ALL_SUBSCRIPTIONGROUP_CONFIG, 'subscriptionGroupTable');
  const commands = groups
    .filter((g) => {
      const have = existing[g.name];
      return (
        have?.consumeMessageOrderly !== (g.orderly ?? false) ||
        (have.retryMaxTimes ?? DEFAULT_RETRY_MAX_TIMES) !== (g.retryMaxTimes ?? DEFAULT_RETRY_MAX_TIMES)
      );
    })
    .map((g) => [
      'updateSubGroup',
      ...clusterArgs(),
      '-g',
      g.name,
      '-o',
      String(g.orderly ?? false),
      '-r',
      String(g.retryMaxTimes ?? DEFAULT_RETRY_MAX_TIMES),
    ]);
  await runAdmin(commands);
}

/** Deletes consumer groups and their offsets (tests that make one per run clean up with this). */
export async function deleteConsumerGroups(names: readonly string[]): Promise<void> {
  // Only existing ones, and with their offsets (-r true): in 5.5.0 a deletion without offset
  // cleanup asks LiteMetadataUtil.isLiteGroupType about the group, which, with
  // autoCreateSubscriptionGroup on, creates the group again right after deleting it.
  const existing = await brokerTable<GroupConfig>(GET_ALL_SUBSCRIPTIONGROUP_CONFIG, 'subscriptionGroupTable');
  await runAdmin(
    names
      .filter((g) => g in existing)
      .map((g) => ['deleteSubGroup', ...clusterArgs(), '-g', g, '-r', 'true']),
  );
}

function clusterArgs(): string[] {
  return ['-n', `${host}:${rocketmq.namesrvPort}`, '-c', rocketmq.clusterName];
}

const RESULT_PREFIX = 'silk-mqadmin: ';

/** Runs mqadmin sub-commands in one JVM; throws naming each command that failed. */
async function runAdmin(commands: string[][]): Promise<void> {
  if (commands.length === 0) return;
  const dir = join(stateDir, NAME);
  mkdirSync(dir, { recursive: true });
  const classpath = await resolveClasspath(NAME, javaPomDir(NAME));
  const java = await javaBin(NAME);
  const args = [
    // A short-lived client: small heap, no C2, and RocketMQ's tools log under the state dir.
    '-Xmx128m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Duser.home=${dir}`,
    '-Drmq.logback.configurationFile=rmq.tools.logback.xml',
    '-cp',
    classpath,
    join(javaPomDir(NAME), 'src', 'MqAdminBatch.java'),
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(java, args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (c) => resolve({ code: c, output: out }));
    child.stdin.end(commands.map((c) => c.join('\t')).join('\n') + '\n');
  });
  const results = output
    .split('\n')
    .map((l) => l.slice(l.indexOf(RESULT_PREFIX)))
    .filter((l) => l.startsWith(RESULT_PREFIX));
  const failures = results.filter((l) => l.startsWith(`${RESULT_PREFIX}failed`));
  if (code !== 0 || results.length !== commands.length) {
    const detail = failures.length > 0 ? failures.join('\n') : output.trim().split('\n').slice(-8).join('\n');
    throw new StackError(NAME, `mqadmin failed (exit ${String(code)}):\n${detail}`);
  }
}

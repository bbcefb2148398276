/**
 * RocketMQ messages observed as the Java side observes them:
 *
 * - a PRODUCER span `<topic> publish` around a send, whose context goes out in the message's
 *   user properties (`traceparent`, as OpenTelemetry's rocketmq-client-5 instrumentation
 *   writes it: the producer copies the context's traceparent into the properties), and a
 *   CONSUMER span `<topic> process` around a handler, child of the producer's span — read
 *   from the properties in any consumed format, so a Brave producer's `X-B3-*` works too;
 * - the histograms rocketmq-client-java 5 records (ClientMeterManager's HistogramEnum), in
 *   its unit (milliseconds) and buckets, so the RocketMQ dashboards read a Silk client like
 *   a Java one: `rocketmq_send_cost_time{topic,client_id,invocation_status}` and
 *   `rocketmq_process_time{topic,consumer_group,client_id,invocation_status}`,
 *   `invocation_status` being `success` or `failure`.
 */
import { hostname } from 'node:os';
import { SpanKind } from './otel-api.js';
import { runWithContext, type SilkContext } from '../core/index.js';
import { currentMeters, currentScope, extractTraceContext, withScope, withSpan } from './spans.js';

export const SEND_COST_TIME_BUCKETS = [1, 5, 10, 20, 50, 200, 500];
export const PROCESS_TIME_BUCKETS = [1, 5, 10, 100, 1000, 10_000, 60_000];
const SEND_TAGS = ['topic', 'client_id', 'invocation_status'] as const;
const PROCESS_TAGS = ['topic', 'consumer_group', 'client_id', 'invocation_status'] as const;

/** The first two parts of Java's ClientIdEncoder id (`host@pid@index@time`). */
export const DEFAULT_MQ_CLIENT_ID = `${hostname()}@${process.pid}`;

export interface PublishInfo {
  topic: string;
  /** NORMAL, FIFO, DELAY, TRANSACTION. */
  messageType?: string;
  clientId?: string;
}

export interface ConsumeInfo {
  topic: string;
  consumerGroup: string;
  messageId?: string;
  clientId?: string;
}

async function timedMs<T>(
  record: (status: 'success' | 'failure', ms: number) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let status: 'success' | 'failure' = 'failure';
  try {
    const r = await fn();
    status = 'success';
    return r;
  } finally {
    record(status, performance.now() - started);
  }
}

/**
 * Runs `send` in a PRODUCER span: a message built inside it carries the span's traceparent
 * (the Silk context's, which the span sets).
 */
export function observePublish<T>(info: PublishInfo, send: () => Promise<T>): Promise<T> {
  const meters = currentMeters();
  return timedMs(
    (status, ms) =>
      meters
        ?.histogram(
          'rocketmq_send_cost_time',
          'Cost time of message publishing, in milliseconds',
          SEND_TAGS,
          SEND_COST_TIME_BUCKETS,
        )
        .observe(
          { topic: info.topic, client_id: info.clientId ?? DEFAULT_MQ_CLIENT_ID, invocation_status: status },
          ms,
        ),
    () =>
      withSpan(
        `${info.topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'rocketmq',
            'messaging.operation': 'publish',
            'messaging.destination.name': info.topic,
            ...(info.messageType
              ? { 'messaging.rocketmq.message.type': info.messageType.toLowerCase() }
              : {}),
          },
        },
        send,
      ),
  );
}

/**
 * Runs a consumer's `handler` in the producer's request context (`base`: XID; the trace
 * context read from `properties`) inside a CONSUMER span.
 */
export function observeConsume<T>(
  info: ConsumeInfo,
  properties: Readonly<Record<string, string>>,
  base: SilkContext,
  handler: () => Promise<T>,
): Promise<T> {
  const { traceparent: _tp, tracestate: _ts, ...rest } = base;
  const ctx: SilkContext = { ...rest, ...extractTraceContext(properties) };
  const scope = currentScope();
  const meters = scope?.meters;
  const run = () =>
    timedMs(
      (status, ms) =>
        meters
          ?.histogram(
            'rocketmq_process_time',
            'Process time of message consumption, in milliseconds',
            PROCESS_TAGS,
            PROCESS_TIME_BUCKETS,
          )
          .observe(
            {
              topic: info.topic,
              consumer_group: info.consumerGroup,
              client_id: info.clientId ?? DEFAULT_MQ_CLIENT_ID,
              invocation_status: status,
            },
            ms,
          ),
      () =>
        withSpan(
          `${info.topic} process`,
          {
            kind: SpanKind.CONSUMER,
            attributes: {
              'messaging.system': 'rocketmq',
              'messaging.operation': 'process',
              'messaging.destination.name': info.topic,
              'messaging.rocketmq.client_group': info.consumerGroup,
              ...(info.messageId ? { 'messaging.message.id': info.messageId } : {}),
            },
          },
          handler,
        ),
    );
  return runWithContext(ctx, () => (scope ? withScope(scope, run) : run()));
}

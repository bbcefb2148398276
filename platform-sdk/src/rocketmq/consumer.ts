/**
 * Consuming with a handler: `new MessageConsumer({ consumerGroup, subscriptions, handler })`.
 *
 * Built on the npm client's SimpleConsumer (receive / ack / changeInvisibleDuration), which gives
 * Silk the control a handler API needs:
 *  - bounded concurrency: a receive asks for at most as many messages as there are free handler
 *    slots, so nothing waits in a local buffer where a crash could strand it;
 *  - a message stays invisible to the group's other consumers while this one holds it: its
 *    invisible duration is extended before it runs out, for as long as the handler runs;
 *  - acks of messages that finish together travel in one request (see ack-batcher.ts);
 *  - tag filtering by the broker (`TagA || TagB`), per subscribed topic;
 *  - a handler that resolves acks the message; one that throws makes it invisible for the
 *    back-off delay, after which the broker redelivers it from the group's retry topic with its
 *    delivery attempt raised; past the group's `retryMaxTimes` the proxy sends it to
 *    `%DLQ%<group>` (it compares the reconsume count with the group's max attempts on receive);
 *  - FIFO: messages of one message group run one after another. A failed one is retried here,
 *    after its back-off, while the rest of its group waits (the broker would count a redelivery
 *    against every message of the batch it hands out again); once the group's max attempts are
 *    spent it goes to `%DLQ%<group>` and its group moves on, as Java's FIFO consumer does;
 *  - graceful stop: no new receive, the one in flight finishes and its messages are handled,
 *    handlers in flight finish (up to `drainTimeoutMs`); whatever is still unacked after that is
 *    not lost: it becomes visible again after its invisible duration and is redelivered.
 *
 * The handler runs in the request context its producer had (XID and trace from properties).
 */
import { SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import type { Component } from '../core/index.js';
import { observeConsume } from '../observability/messaging-observation.js';
import { DEFAULT_BACKOFF, retryDelayMs, validateBackoff, type BackoffPolicy } from './backoff.js';
import { AckBatcher } from './ack-batcher.js';
import { ackSender, forwardToDeadLetter, watchMaxAttempts, type AckTarget } from './ack-rpc.js';
import { baseOptions, startClient, type ClientOptions } from './client-options.js';
import { InvisibilityLease, renewalPeriodMs } from './invisibility-lease.js';
import { MqOptionsError, MqStartError } from './errors.js';
import { consoleLogger, type MqLogger } from './logger.js';
import { contextFromProperties, fromClientView, messageGroupOf, type ReceivedMessage } from './message.js';

export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface Subscription {
  topic: string;
  /** Tag expression: `*` (default), `TagA`, or `TagA || TagB`. */
  tags?: string;
}

export interface ConsumerOptions extends ClientOptions {
  consumerGroup: string;
  subscriptions: readonly Subscription[];
  handler: MessageHandler;
  /** Handlers running at once (default 16). */
  concurrency?: number;
  /**
   * How long a received message stays hidden from the group's other consumers (default 30 s; the
   * proxy's minimum is 10 s). A handler may run longer: the duration is extended while it runs.
   */
  invisibleDurationMs?: number;
  /** Long-polling time of one receive (default 5 s, the proxy's minimum). */
  awaitDurationMs?: number;
  /** Receives in flight at once (default 1); more help throughput with many free slots. */
  receivers?: number;
  backoff?: BackoffPolicy;
  /**
   * Delivery attempts of a FIFO message before it is dead-lettered. Default: what the proxy
   * announces for the group (its retryMaxTimes + 1), else 17 (RocketMQ's default 16 retries).
   */
  maxDeliveryAttempts?: number;
  /** How long `stop()` waits for running handlers (default 30 s). */
  drainTimeoutMs?: number;
}

export interface ConsumerStats {
  received: number;
  acked: number;
  retried: number;
  /** Invisible-duration extensions for handlers that ran long. */
  renewed: number;
  /** FIFO messages sent to the dead-letter topic after their last attempt. */
  deadLettered: number;
  inFlight: number;
}

const MAX_BATCH = 32;
const RECEIVE_ERROR_PAUSE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MessageConsumer implements Component {
  readonly name: string;
  private client: SimpleConsumer | undefined;
  private acks: AckBatcher<AckTarget> | undefined;
  private running = false;
  private reserved = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly groupTails = new Map<string, Promise<boolean>>();
  private waiters: (() => void)[] = [];
  private loops: Promise<void>[] = [];
  private readonly counts = { received: 0, acked: 0, retried: 0, renewed: 0, deadLettered: 0 };
  private announcedMaxAttempts: number | undefined;
  private readonly concurrency: number;
  private readonly minReceive: number;
  private readonly logger: MqLogger;

  constructor(private readonly options: ConsumerOptions) {
    this.name = `rocketmq-consumer(${options.consumerGroup})`;
    this.concurrency = options.concurrency ?? 16;
    this.minReceive = Math.max(1, Math.min(MAX_BATCH, Math.floor(this.concurrency / 2)));
    this.logger = options.logger ?? consoleLogger;
    this.validate();
  }

  async start(): Promise<void> {
    if (this.client) return;
    const topics = this.options.subscriptions.map((s) => s.topic);
    const client = new SimpleConsumer({
      ...baseOptions(this.options, this.name, topics),
      consumerGroup: this.options.consumerGroup,
      subscriptions: new Map(this.options.subscriptions.map((s) => [s.topic, s.tags ?? '*'])),
      awaitDuration: this.options.awaitDurationMs ?? 5000,
    });
    watchMaxAttempts(client, (n) => (this.announcedMaxAttempts = n));
    try {
      await startClient(client, topics);
    } catch (err) {
      await client.shutdown().catch(() => undefined);
      throw new MqStartError(this.name, this.options.endpoints, err);
    }
    this.client = client;
    this.acks = new AckBatcher({
      send: ackSender(
        client,
        this.options.consumerGroup,
        this.options.namespace ?? '',
        this.options.requestTimeoutMs ?? 3000,
      ),
    });
    this.running = true;
    this.loops = Array.from({ length: this.options.receivers ?? 1 }, () => this.pollLoop(client));
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.running = false;
    this.wakeReceivers();
    await Promise.all(this.loops);
    const drained = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      new Promise<boolean>((r) => setTimeout(r, this.options.drainTimeoutMs ?? 30_000, false).unref()),
    ]);
    if (!drained) {
      this.logger.warn(
        { group: this.options.consumerGroup, inFlight: this.inFlight.size },
        'drain timed out; unacked messages will be redelivered',
      );
    }
    await this.acks?.settled();
    this.client = undefined;
    await client.shutdown();
  }

  stats(): ConsumerStats {
    return { ...this.counts, inFlight: this.inFlight.size };
  }

  private async pollLoop(client: SimpleConsumer): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size - this.reserved;
      // Waiting for a batch's worth of free slots, rather than receiving as soon as one frees,
      // keeps a busy consumer from degrading into one receive round trip per message.
      if (free < this.minReceive || free <= 0) {
        await new Promise<void>((r) => this.waiters.push(r));
        continue;
      }
      const want = Math.min(MAX_BATCH, free);
      this.reserved += want;
      let views: MessageView[] = [];
      try {
        views = await client.receive(want, this.options.invisibleDurationMs ?? 30_000);
      } catch (err) {
        if (this.running) {
          this.logger.warn({ group: this.options.consumerGroup, err }, 'receive failed; retrying');
          await new Promise((r) => setTimeout(r, RECEIVE_ERROR_PAUSE_MS));
        }
      } finally {
        this.reserved -= want;
      }
      // Messages that arrive while stopping are in hand: they are handled like any other.
      for (const view of views) this.track(this.dispatch(client, view));
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.wakeReceivers();
    });
  }

  private wakeReceivers(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Runs the handler, ordered behind earlier messages of the same FIFO group. */
  private async dispatch(client: SimpleConsumer, view: MessageView): Promise<void> {
    this.counts.received++;
    const invisibleMs = this.options.invisibleDurationMs ?? 30_000;
    const lease = new InvisibilityLease(
      async () => {
        await client.changeInvisibleDuration(view, invisibleMs);
        this.counts.renewed++;
      },
      renewalPeriodMs(invisibleMs),
      (err) =>
        this.logger.warn(
          { group: this.options.consumerGroup, messageId: view.messageId, err },
          'could not extend the invisible duration; the message may be redelivered',
        ),
    );
    try {
      const group = messageGroupOf(view);
      if (group === undefined) {
        await this.handle(client, view, lease, true);
        return;
      }
      const key = `${view.topic}\u0000${group}`;
      const previous = this.groupTails.get(key) ?? Promise.resolve(true);
      const mine = previous.then((ok) => this.handle(client, view, lease, ok));
      this.groupTails.set(key, mine);
      await mine;
      if (this.groupTails.get(key) === mine) this.groupTails.delete(key);
    } finally {
      await lease.end();
    }
  }

  /** Returns whether the message was acked (a FIFO successor only runs after an ack). */
  private async handle(
    client: SimpleConsumer,
    view: MessageView,
    lease: InvisibilityLease,
    predecessorOk: boolean,
  ): Promise<boolean> {
    let message = fromClientView(view);
    let ok = predecessorOk && (await this.runHandler(message));
    if (predecessorOk && !ok && message.messageGroup !== undefined) {
      const max = this.options.maxDeliveryAttempts ?? this.announcedMaxAttempts ?? 17;
      while (!ok && this.running && message.deliveryAttempt < max) {
        await sleep(retryDelayMs(this.options.backoff ?? DEFAULT_BACKOFF, message.deliveryAttempt));
        message = Object.freeze({ ...message, deliveryAttempt: message.deliveryAttempt + 1 });
        ok = await this.runHandler(message);
      }
      if (!ok && message.deliveryAttempt >= max) {
        await lease.end();
        if (await this.deadLetter(client, view, message.deliveryAttempt, max)) return true;
      }
    }
    await lease.end();
    try {
      if (ok) {
        await this.ackView(view);
        this.counts.acked++;
      } else {
        await client.changeInvisibleDuration(
          view,
          retryDelayMs(this.options.backoff ?? DEFAULT_BACKOFF, message.deliveryAttempt),
        );
        this.counts.retried++;
      }
    } catch (err) {
      // The receipt may have expired: the broker redelivers the message, nothing is lost.
      this.logger.warn(
        { group: this.options.consumerGroup, messageId: message.messageId, err },
        ok ? 'ack failed' : 'nack failed',
      );
      return false;
    }
    return ok;
  }

  private ackView(view: MessageView): Promise<void> {
    return this.acks!.ack(
      `${view.endpoints.facade}\u0000${view.topic}`,
      { endpoints: view.endpoints, topic: view.topic },
      { messageId: view.messageId, receiptHandle: view.receiptHandle },
    );
  }

  private async runHandler(message: ReceivedMessage): Promise<boolean> {
    try {
      await observeConsume(
        { topic: message.topic, consumerGroup: this.options.consumerGroup, messageId: message.messageId },
        message.properties,
        contextFromProperties(message.properties),
        () => this.options.handler(message),
      );
      return true;
    } catch (err) {
      this.logger.warn(
        {
          group: this.options.consumerGroup,
          messageId: message.messageId,
          attempt: message.deliveryAttempt,
          err,
        },
        'handler failed; message will be retried after back-off',
      );
      return false;
    }
  }

  /** Returns whether the message is in the dead-letter topic (else it is released for redelivery). */
  private async deadLetter(client: SimpleConsumer, view: MessageView, attempt: number, max: number) {
    const o = this.options;
    try {
      await forwardToDeadLetter(
        client,
        o.consumerGroup,
        o.namespace ?? '',
        o.requestTimeoutMs ?? 3000,
        view,
        attempt,
        max,
      );
      this.counts.deadLettered++;
      // The proxy settles the forwarded message itself; the ack is a safeguard in case a proxy
      // version does not, and its refusal for an already settled handle is expected.
      await this.ackView(view).catch(() => undefined);
      this.logger.warn(
        { group: o.consumerGroup, messageId: view.messageId, attempt },
        `FIFO message failed ${attempt} times; moved to %DLQ%${o.consumerGroup}`,
      );
      return true;
    } catch (err) {
      this.logger.warn({ group: o.consumerGroup, messageId: view.messageId, err }, 'dead-lettering failed');
      return false;
    }
  }

  private validate(): void {
    const o = this.options;
    const bad = (option: string, value: unknown, expected: string) =>
      new MqOptionsError(this.name, option, value, expected);
    if (!o.consumerGroup) throw bad('consumerGroup', o.consumerGroup, 'a non-empty group name');
    if (o.subscriptions.length === 0) throw bad('subscriptions', '[]', 'at least one topic');
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1))
      throw bad('concurrency', this.concurrency, 'an integer >= 1');
    if (o.invisibleDurationMs !== undefined && o.invisibleDurationMs < 10_000) {
      throw bad(
        'invisibleDurationMs',
        o.invisibleDurationMs,
        '>= 10000 (the proxy refuses shorter receives)',
      );
    }
    if (o.awaitDurationMs !== undefined && o.awaitDurationMs < 5000) {
      throw bad('awaitDurationMs', o.awaitDurationMs, '>= 5000 (the proxy refuses shorter long polls)');
    }
    if (o.receivers !== undefined && !(Number.isInteger(o.receivers) && o.receivers >= 1))
      throw bad('receivers', o.receivers, 'an integer >= 1');
    validateBackoff(this.name, o.backoff ?? DEFAULT_BACKOFF);
  }
}

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
import { watchMaxAttempts } from './ack-rpc.js';
import { baseOptions, startClient, type ClientOptions } from './client-options.js';
import { Settlement } from './settlement.js';
import type { InvisibilityLease } from './invisibility-lease.js';
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
  private settlement: Settlement | undefined;
  private running = false;
  private reserved = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly groupTails = new Map<string, Promise<boolean>>();
  private waiters: (() => void)[] = [];
  private loops: Promise<void>[] = [];
  private received = 0;
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
    const settlement = new Settlement(client, {
      group: this.options.consumerGroup,
      namespace: this.options.namespace ?? '',
      requestTimeoutMs: this.options.requestTimeoutMs ?? 3000,
      invisibleDurationMs: this.options.invisibleDurationMs ?? 30_000,
      logger: this.logger,
    });
    this.settlement = settlement;
    this.running = true;
    this.loops = Array.from({ length: this.options.receivers ?? 1 }, () => this.pollLoop(client, settlement));
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
    await this.settlement?.settled();
    this.client = undefined;
    await client.shutdown();
  }

  stats(): ConsumerStats {
    const settled = this.settlement?.counts ?? { acked: 0, retried: 0, renewed: 0, deadLettered: 0 };
    return { received: this.received, ...settled, inFlight: this.inFlight.size };
  }

  private async pollLoop(client: SimpleConsumer, settlement: Settlement): Promise<void> {
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
      for (const view of views) this.track(this.dispatch(settlement, view));
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
  private async dispatch(settlement: Settlement, view: MessageView): Promise<void> {
    this.received++;
    const lease = settlement.lease(view);
    try {
      const group = messageGroupOf(view);
      if (group === undefined) {
        await this.handle(settlement, view, lease, true);
        return;
      }
      const key = `${view.topic}\u0000${group}`;
      const previous = this.groupTails.get(key) ?? Promise.resolve(true);
      const mine = previous.then((ok) => this.handle(settlement, view, lease, ok));
      this.groupTails.set(key, mine);
      await mine;
      if (this.groupTails.get(key) === mine) this.groupTails.delete(key);
    } finally {
      await lease.end();
    }
  }

  /** Returns whether the message was acked (a FIFO successor only runs after an ack). */
  private async handle(
    settlement: Settlement,
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
        if (await settlement.deadLetter(view, message.deliveryAttempt, max)) return true;
      }
    }
    await lease.end();
    try {
      if (ok) await settlement.ack(view);
      else
        await settlement.release(
          view,
          retryDelayMs(this.options.backoff ?? DEFAULT_BACKOFF, message.deliveryAttempt),
        );
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
    const max = o.maxDeliveryAttempts;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1))
      throw bad('maxDeliveryAttempts', max, 'an integer >= 1');
    validateBackoff(this.name, o.backoff ?? DEFAULT_BACKOFF);
  }
}

/**
 * How a consumer settles what it received, over the npm SimpleConsumer: acks (batched), a
 * release for redelivery after back-off (ChangeInvisibleDuration), a FIFO message's move to the
 * dead-letter topic, and the invisibility lease that keeps a held message from the group's other
 * consumers. Every outcome is counted for `stats()`.
 */
import type { MessageView, SimpleConsumer } from 'rocketmq-client-nodejs';
import { AckBatcher } from './ack-batcher.js';
import { ackSender, forwardToDeadLetter, type AckTarget } from './ack-rpc.js';
import { InvisibilityLease, renewalPeriodMs } from './invisibility-lease.js';
import type { MqLogger } from './logger.js';

export interface SettlementCounts {
  acked: number;
  retried: number;
  renewed: number;
  deadLettered: number;
}

export interface SettlementOptions {
  group: string;
  namespace: string;
  requestTimeoutMs: number;
  invisibleDurationMs: number;
  logger: MqLogger;
}

export class Settlement {
  readonly counts: SettlementCounts = { acked: 0, retried: 0, renewed: 0, deadLettered: 0 };
  private readonly acks: AckBatcher<AckTarget>;

  constructor(
    private readonly client: SimpleConsumer,
    private readonly o: SettlementOptions,
  ) {
    this.acks = new AckBatcher({ send: ackSender(client, o.group, o.namespace, o.requestTimeoutMs) });
  }

  /** Starts keeping `view` invisible to others until the lease is ended. */
  lease(view: MessageView): InvisibilityLease {
    return new InvisibilityLease(
      async () => {
        await this.client.changeInvisibleDuration(view, this.o.invisibleDurationMs);
        this.counts.renewed++;
      },
      renewalPeriodMs(this.o.invisibleDurationMs),
      (err) =>
        this.o.logger.warn(
          { group: this.o.group, messageId: view.messageId, err },
          'could not extend the invisible duration; the message may be redelivered',
        ),
    );
  }

  async ack(view: MessageView): Promise<void> {
    await this.sendAck(view);
    this.counts.acked++;
  }

  /** Makes the message visible again after `delayMs`; the broker redelivers it, attempt raised. */
  async release(view: MessageView, delayMs: number): Promise<void> {
    await this.client.changeInvisibleDuration(view, delayMs);
    this.counts.retried++;
  }

  /** Returns whether the message is in the dead-letter topic (else it is still to be settled). */
  async deadLetter(view: MessageView, attempt: number, max: number): Promise<boolean> {
    const o = this.o;
    try {
      await forwardToDeadLetter(this.client, o.group, o.namespace, o.requestTimeoutMs, view, attempt, max);
    } catch (err) {
      o.logger.warn({ group: o.group, messageId: view.messageId, err }, 'dead-lettering failed');
      return false;
    }
    this.counts.deadLettered++;
    // The proxy settles the forwarded message itself; the ack is a safeguard in case a proxy
    // version does not, and its refusal for an already settled handle is expected.
    await this.sendAck(view).catch(() => undefined);
    o.logger.warn(
      { group: o.group, messageId: view.messageId, attempt },
      `FIFO message failed ${attempt} times; moved to %DLQ%${o.group}`,
    );
    return true;
  }

  private sendAck(view: MessageView): Promise<void> {
    return this.acks.ack(
      `${view.endpoints.facade}\u0000${view.topic}`,
      { endpoints: view.endpoints, topic: view.topic },
      { messageId: view.messageId, receiptHandle: view.receiptHandle },
    );
  }

  /** Waits for acks already on their way. */
  settled(): Promise<void> {
    return this.acks.settled();
  }
}

/**
 * Publishing: normal, FIFO (message group), delayed and transactional messages, each checked
 * against its topic's declared type before it leaves the process, with the request context
 * (XID, trace) added as user properties.
 *
 * Transactions follow RocketMQ's two phases: `sendInTransaction` stores a half message, runs the
 * local transaction, then commits or rolls back. If the process dies in between, the broker asks
 * a producer of the same topic later (every `transactionCheckInterval`, 30 s by default, once the
 * half message is older than `transactionTimeOut`, 6 s); the `transactionChecker` answers from
 * the local database whether the business change happened. Any producer process with the topic
 * declared and a checker can answer, so a restarted instance settles what a dead one left open.
 */
import { Producer, type MessageView, type TransactionChecker } from 'rocketmq-client-nodejs';
import { TransactionResolution } from './proto.js';
import { currentContext, runWithContext, type Component } from '../core/index.js';
import { observePublish } from '../observability/messaging-observation.js';
import { baseOptions, startClient, verifyTopicTypes, type ClientOptions } from './client-options.js';
import {
  MqClientClosedError,
  MqOptionsError,
  MqStartError,
  SendFailedError,
  TransactionRolledBackError,
  isMqError,
} from './errors.js';
import { consoleLogger } from './logger.js';
import {
  contextFromProperties,
  fromClientView,
  toClientMessage,
  type OutgoingMessage,
  type ReceivedMessage,
} from './message.js';
import { assertMatchesTopic, topicTable, type TopicDeclaration, type TopicMessageType } from './topics.js';

/** What the checker answers; UNKNOWN makes the broker ask again at its next check. */
export type TransactionCheckResult = 'COMMIT' | 'ROLLBACK' | 'UNKNOWN';

export type TransactionCheckerFn = (message: ReceivedMessage) => Promise<TransactionCheckResult>;

export interface ProducerOptions extends ClientOptions {
  /** Every topic this producer sends to, with its message type. */
  topics: readonly TopicDeclaration[];
  /** Needed for `sendInTransaction`; runs in the context the half message carried. */
  transactionChecker?: TransactionCheckerFn;
  /** Attempts per send (the client retries on another queue); RocketMQ's default is 3. */
  maxAttempts?: number;
  /** Check at start that the cluster gives each topic its declared type (default true). */
  verifyTopics?: boolean;
  /** Clock for delays (injected in tests). */
  now?: () => number;
}

export interface SendResult {
  messageId: string;
  topic: string;
  messageType: TopicMessageType;
  /** Set for a transactional half message. */
  transactionId?: string;
}

const RESOLUTIONS: Record<TransactionCheckResult, TransactionResolution> = {
  COMMIT: TransactionResolution.COMMIT,
  ROLLBACK: TransactionResolution.ROLLBACK,
  UNKNOWN: TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED,
};

export class MessageProducer implements Component {
  readonly name = 'rocketmq-producer';
  private readonly table: ReadonlyMap<string, TopicMessageType>;
  private readonly now: () => number;
  private client: Producer | undefined;

  constructor(private readonly options: ProducerOptions) {
    this.table = topicTable(options.topics);
    this.now = options.now ?? Date.now;
    if (
      options.maxAttempts !== undefined &&
      !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)
    ) {
      throw new MqOptionsError(this.name, 'maxAttempts', options.maxAttempts, 'an integer >= 1');
    }
  }

  async start(): Promise<void> {
    if (this.client) return;
    const checker = this.options.transactionChecker;
    const client = new Producer({
      ...baseOptions(this.options, this.name, [...this.table.keys()]),
      ...(this.options.maxAttempts !== undefined ? { maxAttempts: this.options.maxAttempts } : {}),
      ...(checker ? { checker: this.wrapChecker(checker) } : {}),
    });
    try {
      await startClient(client, [...this.table.keys()]);
      if (this.options.verifyTopics ?? true) await verifyTopicTypes(client, this.options.topics);
    } catch (err) {
      await client.shutdown().catch(() => undefined);
      if (isMqError(err)) throw err;
      throw new MqStartError(this.name, this.options.endpoints, err);
    }
    this.client = client;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.shutdown();
  }

  /** Sends a normal, FIFO or delayed message (the topic's declared type decides which is allowed). */
  async send(message: OutgoingMessage): Promise<SendResult> {
    const client = this.running();
    const messageType = assertMatchesTopic(this.table, message, false);
    // Built inside the PRODUCER span, so the message carries the span's trace context.
    return observePublish({ topic: message.topic, messageType }, async () => {
      const options = toClientMessage(message, currentContext(), this.now());
      try {
        const receipt = await client.send(options);
        return { messageId: receipt.messageId, topic: message.topic, messageType };
      } catch (err) {
        throw new SendFailedError(message.topic, options.keys ?? [], err);
      }
    });
  }

  /**
   * Sends a half message, runs `localTransaction`, then commits (it resolved) or rolls back (it
   * threw: rethrown as SILK_MQ_TRANSACTION_ROLLED_BACK with the cause). If the commit itself
   * fails, the local change stands and the checker settles the message later.
   */
  async sendInTransaction<T>(
    message: OutgoingMessage,
    localTransaction: (half: SendResult) => Promise<T>,
  ): Promise<{ result: T; sent: SendResult }> {
    const client = this.running();
    if (!this.options.transactionChecker) {
      throw new MqOptionsError(
        this.name,
        'transactionChecker',
        undefined,
        'a checker, required for transactional messages',
      );
    }
    assertMatchesTopic(this.table, message, true);
    const tx = client.beginTransaction();
    const sent: SendResult = await observePublish(
      { topic: message.topic, messageType: 'TRANSACTION' },
      async () => {
        const options = toClientMessage(message, currentContext(), this.now());
        try {
          const receipt = await client.send(options, tx);
          return {
            messageId: receipt.messageId,
            topic: message.topic,
            messageType: 'TRANSACTION',
            transactionId: receipt.transactionId,
          };
        } catch (err) {
          throw new SendFailedError(message.topic, options.keys ?? [], err);
        }
      },
    );
    let result: T;
    try {
      result = await localTransaction(sent);
    } catch (err) {
      await tx
        .rollback()
        .catch((e: unknown) => this.warn('rollback failed; the checker will settle it', sent, e));
      throw new TransactionRolledBackError(message.topic, sent.messageId, err);
    }
    await tx.commit().catch((e: unknown) => this.warn('commit failed; the checker will settle it', sent, e));
    return { result, sent };
  }

  private wrapChecker(check: TransactionCheckerFn): TransactionChecker {
    return {
      check: async (view: MessageView) => {
        const message = fromClientView(view);
        try {
          const answer = await runWithContext(contextFromProperties(message.properties), () =>
            check(message),
          );
          return RESOLUTIONS[answer];
        } catch (err) {
          this.warn('transaction checker threw; answering UNKNOWN so the broker asks again', message, err);
          return TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED;
        }
      },
    };
  }

  private running(): Producer {
    if (!this.client) throw new MqClientClosedError(this.name);
    return this.client;
  }

  private warn(msg: string, about: { messageId: string; topic: string }, err: unknown): void {
    (this.options.logger ?? consoleLogger).warn({ messageId: about.messageId, topic: about.topic, err }, msg);
  }
}

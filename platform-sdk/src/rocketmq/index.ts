/**
 * rocketmq: RocketMQ 5 messaging over the proxy's gRPC endpoint, on `rocketmq-client-nodejs`.
 *
 * Producing (`MessageProducer`):
 *  - every topic is declared with its message type (NORMAL, FIFO, DELAY, TRANSACTION); a message
 *    is checked against its topic before it is sent, and at start the cluster's topic types are
 *    checked against the declarations;
 *  - `send` for normal, FIFO (`messageGroup`) and delayed (`delayMs` / `deliverAt`) messages;
 *    `sendInTransaction` for a half message + local transaction + commit/rollback, with a
 *    `transactionChecker` that answers the broker's check for transactions left open;
 *  - tags, keys and user properties as Java's client sees them; the request context travels as
 *    the properties `TX_XID`, `traceparent`, `tracestate`.
 *
 * Consuming (`MessageConsumer`): a handler per consumer group, tag filtering, bounded
 * concurrency, back-off redelivery through the group's retry topic into `%DLQ%<group>`, FIFO
 * order per message group (a failing FIFO message retried in place, then dead-lettered so its
 * group moves on), the invisible duration extended while a slow handler runs, batched acks,
 * graceful drain on stop; handlers run in the producer's context.
 * `idempotent(redis, ...)` wraps a handler so each message key is applied once.
 *
 * Outbox (`Outbox`, `OutboxRelay`): events written to a MySQL table in the business transaction
 * and published by a relay that survives broker outages and process crashes.
 *
 * Errors are coded SilkError subclasses (SILK_MQ_*); see errors.ts.
 */
export {
  MessageProducer,
  type ProducerOptions,
  type SendResult,
  type TransactionCheckResult,
  type TransactionCheckerFn,
} from './producer.js';
export {
  MessageConsumer,
  type ConsumerOptions,
  type ConsumerStats,
  type MessageHandler,
  type Subscription,
} from './consumer.js';
export { Outbox, EVENT_ID_PROPERTY, type Executor, type OutboxOptions } from './outbox.js';
export { OutboxRelay, type OutboxRelayOptions, type RelayStats } from './outbox-relay.js';
export { idempotent, dedupeKeyOf, type IdempotentOptions } from './idempotent.js';
export { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.js';
export {
  contextFromProperties,
  contextProperties,
  type OutgoingMessage,
  type ReceivedMessage,
} from './message.js';
export {
  messageTypeOf,
  TOPIC_MESSAGE_TYPES,
  type TopicDeclaration,
  type TopicMessageType,
} from './topics.js';
export type { ClientOptions } from './client-options.js';
export { consoleLogger, type MqLogger } from './logger.js';
export {
  DuplicateInProgressError,
  InvalidMessageError,
  MQ_ERROR_CODES,
  MqClientClosedError,
  MqError,
  MqOptionsError,
  MqStartError,
  SendFailedError,
  TopicTypeMismatchError,
  TopicUndeclaredError,
  TransactionRolledBackError,
  isMqError,
  type MqErrorCode,
} from './errors.js';

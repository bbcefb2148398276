/**
 * The RocketMQ messaging error catalogue. Codes are stable (callers and tests match on them);
 * each message says what failed, with which topic, group or message, and what to do next.
 *
 * A handler's own error is not wrapped: the consumer answers it with a redelivery, so it never
 * reaches the caller. What a caller can see is a refused message (bad input, a topic of another
 * type), a broker that could not take a message, a client used after it stopped, or a local
 * transaction that failed and rolled the half message back.
 */
import { SilkError, type SilkErrorOptions } from '../core/index.js';
import type { TopicMessageType } from './topics.js';

export const MQ_ERROR_CODES = {
  SILK_MQ_INVALID_MESSAGE: 'SILK_MQ_INVALID_MESSAGE',
  SILK_MQ_INVALID_OPTIONS: 'SILK_MQ_INVALID_OPTIONS',
  SILK_MQ_TOPIC_UNDECLARED: 'SILK_MQ_TOPIC_UNDECLARED',
  SILK_MQ_TOPIC_TYPE_MISMATCH: 'SILK_MQ_TOPIC_TYPE_MISMATCH',
  SILK_MQ_START_FAILED: 'SILK_MQ_START_FAILED',
  SILK_MQ_SEND_FAILED: 'SILK_MQ_SEND_FAILED',
  SILK_MQ_CLIENT_CLOSED: 'SILK_MQ_CLIENT_CLOSED',
  SILK_MQ_TRANSACTION_ROLLED_BACK: 'SILK_MQ_TRANSACTION_ROLLED_BACK',
  SILK_MQ_DUPLICATE_IN_PROGRESS: 'SILK_MQ_DUPLICATE_IN_PROGRESS',
} as const;

export type MqErrorCode = keyof typeof MQ_ERROR_CODES;

/** Base of every messaging error, so callers can catch the capability as a whole. */
export class MqError extends SilkError {
  constructor(code: MqErrorCode, message: string, options: SilkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** The message cannot be sent as given (a FIFO message without a group, a delay on a tx message...). */
export class InvalidMessageError extends MqError {
  constructor(topic: string, problem: string) {
    super('SILK_MQ_INVALID_MESSAGE', `message for topic "${topic}" refused: ${problem}; nothing was sent`, {
      statusCode: 400,
      details: { topic, problem },
    });
  }
}

export class MqOptionsError extends MqError {
  constructor(client: string, option: string, value: unknown, expected: string) {
    super(
      'SILK_MQ_INVALID_OPTIONS',
      `${client}: option ${option}=${String(value)} is invalid; expected ${expected}`,
      {
        details: { client, option, value },
      },
    );
  }
}

/** Sending to a topic the producer was not given: its type (and the checker's reach) is unknown. */
export class TopicUndeclaredError extends MqError {
  constructor(topic: string, declared: readonly string[]) {
    super(
      'SILK_MQ_TOPIC_UNDECLARED',
      `topic "${topic}" is not declared for this producer (declared: ${declared.join(', ') || 'none'}); ` +
        "add it with its message type to the producer's topics",
      { details: { topic, declared } },
    );
  }
}

/** The cluster's topic has another `message.type` than the declaration: the proxy would refuse. */
export class TopicTypeMismatchError extends MqError {
  constructor(topic: string, declared: TopicMessageType, actual: string) {
    super(
      'SILK_MQ_TOPIC_TYPE_MISMATCH',
      `topic "${topic}" is declared ${declared} but the cluster accepts ${actual} on it; create it with ` +
        `\`mqadmin updateTopic -t ${topic} -a +message.type=${declared}\` or fix the declaration`,
      { details: { topic, declared, actual } },
    );
  }
}

/** The client could not start: proxy unreachable, or a topic missing on the cluster. */
export class MqStartError extends MqError {
  constructor(client: string, endpoints: string, cause: unknown) {
    super(
      'SILK_MQ_START_FAILED',
      `${client} could not start against the RocketMQ proxy at ${endpoints} ` +
        `(${errorText(cause)}); check the proxy is up and the topics exist with their message type`,
      { cause, retryable: true, statusCode: 503, details: { client, endpoints } },
    );
  }
}

/** The broker did not take the message after the client's own retries. Retrying later may help. */
export class SendFailedError extends MqError {
  constructor(topic: string, keys: readonly string[], cause: unknown) {
    super(
      'SILK_MQ_SEND_FAILED',
      `sending to topic "${topic}" (keys ${keys.join(',') || '-'}) failed: ${errorText(cause)}; ` +
        'the message may not have been stored — retry, or publish through the outbox to survive outages',
      { cause, retryable: true, statusCode: 503, details: { topic, keys } },
    );
  }
}

export class MqClientClosedError extends MqError {
  constructor(client: string) {
    super(
      'SILK_MQ_CLIENT_CLOSED',
      `${client} is not running (never started, or stopped); start it before use`,
      {
        details: { client },
      },
    );
  }
}

/** The local transaction threw: the half message was rolled back and no consumer will see it. */
export class TransactionRolledBackError extends MqError {
  constructor(topic: string, messageId: string, cause: unknown) {
    super(
      'SILK_MQ_TRANSACTION_ROLLED_BACK',
      `local transaction for half message ${messageId} on topic "${topic}" failed (${errorText(cause)}); ` +
        'the message was rolled back and will not be delivered',
      { cause, statusCode: 409, details: { topic, messageId } },
    );
  }
}

/** Another consumer holds this message key right now: the delivery is retried after it finishes. */
export class DuplicateInProgressError extends MqError {
  constructor(key: string) {
    super(
      'SILK_MQ_DUPLICATE_IN_PROGRESS',
      `message key "${key}" is being processed by another consumer; this delivery is retried later`,
      { retryable: true, details: { key } },
    );
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isMqError(err: unknown): err is MqError {
  return err instanceof MqError;
}

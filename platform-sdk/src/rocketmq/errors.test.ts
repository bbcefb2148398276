import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import type { MqError } from './errors.js';
import {
  DuplicateInProgressError,
  InvalidMessageError,
  MQ_ERROR_CODES,
  MqClientClosedError,
  MqOptionsError,
  MqStartError,
  SendFailedError,
  TopicTypeMismatchError,
  TopicUndeclaredError,
  TransactionRolledBackError,
} from './errors.js';

describe('rocketmq error catalogue', () => {
  const cause = new Error('UNAVAILABLE: connection refused');
  const samples: MqError[] = [
    new InvalidMessageError('orders', 'messageGroup is empty'),
    new MqOptionsError('consumer', 'concurrency', 0, 'an integer >= 1'),
    new TopicUndeclaredError('orders', ['payments']),
    new TopicTypeMismatchError('orders', 'FIFO', 'NORMAL'),
    new MqStartError('producer', '127.0.0.1:8081', cause),
    new SendFailedError('orders', ['order-1'], cause),
    new MqClientClosedError('producer'),
    new TransactionRolledBackError('orders', '01ABC', cause),
    new DuplicateInProgressError('order-1'),
  ];

  it('has one class per code, every code SILK_MQ_*, and no code unused', () => {
    expect(samples.map((e) => e.code).sort()).toEqual(Object.keys(MQ_ERROR_CODES).sort());
    for (const [key, value] of Object.entries(MQ_ERROR_CODES)) {
      expect(key).toBe(value);
      expect(value).toMatch(/^SILK_MQ_[A-Z_]+$/);
    }
  });

  it('are SilkErrors naming their input', () => {
    for (const err of samples) {
      expect(isSilkError(err)).toBe(true);
      expect(err.name).toBe(err.constructor.name);
      expect(Object.keys(err.details).length).toBeGreaterThan(0);
    }
    expect(new TopicTypeMismatchError('orders', 'FIFO', 'NORMAL').message).toContain('+message.type=FIFO');
  });

  it('marks what retrying can fix and keeps the cause', () => {
    expect(new SendFailedError('t', [], cause).retryable).toBe(true);
    expect(new SendFailedError('t', [], cause).cause).toBe(cause);
    expect(new MqStartError('p', 'e', cause).retryable).toBe(true);
    expect(new DuplicateInProgressError('k').retryable).toBe(true);
    expect(new InvalidMessageError('t', 'x').retryable).toBe(false);
    expect(new TransactionRolledBackError('t', 'm', cause).retryable).toBe(false);
  });
});

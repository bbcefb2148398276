import { describe, expect, it } from 'vitest';
import { assertMatchesTopic, messageTypeOf, topicTable } from './topics.js';

describe('message types and topic declarations', () => {
  const table = topicTable([
    { name: 'orders', messageType: 'NORMAL' },
    { name: 'order-steps', messageType: 'FIFO' },
    { name: 'reminders', messageType: 'DELAY' },
    { name: 'payments', messageType: 'TRANSACTION' },
  ]);

  it('derives the type from the message as the proxy will', () => {
    expect(messageTypeOf({ topic: 't' }, false)).toBe('NORMAL');
    expect(messageTypeOf({ topic: 't', messageGroup: 'g' }, false)).toBe('FIFO');
    expect(messageTypeOf({ topic: 't', delayMs: 0 }, false)).toBe('DELAY');
    expect(messageTypeOf({ topic: 't', deliverAt: new Date(0) }, false)).toBe('DELAY');
    expect(messageTypeOf({ topic: 't' }, true)).toBe('TRANSACTION');
  });

  it('refuses conflicting or malformed options with a coded error', () => {
    const bad = [
      () => messageTypeOf({ topic: 't', messageGroup: 'g', delayMs: 10 }, false),
      () => messageTypeOf({ topic: 't', messageGroup: 'g' }, true),
      () => messageTypeOf({ topic: 't', delayMs: 10 }, true),
      () => messageTypeOf({ topic: 't', messageGroup: '' }, false),
      () => messageTypeOf({ topic: 't', delayMs: -1 }, false),
      () => messageTypeOf({ topic: 't', delayMs: Number.NaN }, false),
      () => messageTypeOf({ topic: 't', deliverAt: new Date('nope') }, false),
    ];
    for (const f of bad) expect(f).toThrow(expect.objectContaining({ code: 'SILK_MQ_INVALID_MESSAGE' }));
  });

  it('checks a message against its topic and says what to change', () => {
    expect(assertMatchesTopic(table, { topic: 'order-steps', messageGroup: 'o-1' }, false)).toBe('FIFO');
    expect(assertMatchesTopic(table, { topic: 'payments' }, true)).toBe('TRANSACTION');
    expect(() => assertMatchesTopic(table, { topic: 'order-steps' }, false)).toThrow(/messageGroup/);
    expect(() => assertMatchesTopic(table, { topic: 'payments' }, false)).toThrow(/sendInTransaction/);
    expect(() => assertMatchesTopic(table, { topic: 'unknown' }, false)).toThrow(
      expect.objectContaining({ code: 'SILK_MQ_TOPIC_UNDECLARED' }),
    );
  });

  it('rejects a topic declared twice with two types, or with an unknown type', () => {
    expect(() =>
      topicTable([
        { name: 'a', messageType: 'FIFO' },
        { name: 'a', messageType: 'NORMAL' },
      ]),
    ).toThrow(/declared twice/);
    expect(() => topicTable([{ name: 'a', messageType: 'MIXED' as never }])).toThrow(/not one of/);
    expect(
      topicTable([
        { name: 'a', messageType: 'FIFO' },
        { name: 'a', messageType: 'FIFO' },
      ]).size,
    ).toBe(1);
  });
});

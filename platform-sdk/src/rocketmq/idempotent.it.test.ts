/**
 * The idempotent-consumption wrapper against the real Redis: a key applied once however often
 * it is delivered, a failed handler's claim released so the next delivery applies it, and a
 * delivery racing a running handler refused as retryable.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotent } from './idempotent.js';
import { connectRedis, run, sleep } from './it-support.js';
import type { ReceivedMessage } from './message.js';

let redis: Redis;
beforeAll(async () => {
  redis = await connectRedis();
});
afterAll(async () => {
  const keys = await redis.keys(`silk:mq:dedupe:it-${run}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function message(keys: string[], messageId = `id-${Math.random()}`): ReceivedMessage {
  return {
    messageId,
    topic: 't',
    body: Buffer.from('x'),
    tag: undefined,
    keys,
    properties: {},
    messageGroup: undefined,
    deliveryAttempt: 1,
    bornAt: undefined,
    deliverAt: undefined,
  };
}

describe('idempotent consumption (real Redis)', () => {
  it('applies a message key once however many times it is delivered', async () => {
    const applied: string[] = [];
    const duplicates: string[] = [];
    const handler = idempotent(
      redis,
      { namespace: `it-${run}-once`, onDuplicate: (_m, k) => duplicates.push(k) },
      (m) => {
        applied.push(m.keys[0]!);
        return Promise.resolve();
      },
    );
    await handler(message(['order-1']));
    await handler(message(['order-1']));
    await handler(message(['order-2']));
    await handler(message(['order-1']));
    expect(applied).toEqual(['order-1', 'order-2']);
    expect(duplicates).toEqual(['order-1', 'order-1']);
  });

  it('releases the claim when the handler throws, so the next delivery applies it', async () => {
    let calls = 0;
    const handler = idempotent(redis, { namespace: `it-${run}-retry` }, () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('db timeout')) : Promise.resolve();
    });
    await expect(handler(message(['pay-1']))).rejects.toThrow('db timeout');
    await handler(message(['pay-1']));
    await handler(message(['pay-1']));
    expect(calls).toBe(2);
  });

  it('refuses a delivery while another holds the key, as retryable', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handler = idempotent(redis, { namespace: `it-${run}-race` }, () => gate);
    const first = handler(message(['ship-1']));
    await sleep(50);
    await expect(handler(message(['ship-1']))).rejects.toMatchObject({
      code: 'SILK_MQ_DUPLICATE_IN_PROGRESS',
      retryable: true,
    });
    release();
    await first;
    await expect(handler(message(['ship-1']))).resolves.toBeUndefined();
  });

  it("falls back to the message id without keys, and lets a dead holder's lease expire", async () => {
    let calls = 0;
    const handler = idempotent(redis, { namespace: `it-${run}-lease`, processingTtlMs: 200 }, () => {
      calls++;
      return Promise.resolve();
    });
    // A holder that died mid-handler: its claim is left behind with a short lease.
    await redis.set(`silk:mq:dedupe:it-${run}-lease:m-1`, 'processing:dead', 'PX', 200);
    await expect(handler(message([], 'm-1'))).rejects.toMatchObject({
      code: 'SILK_MQ_DUPLICATE_IN_PROGRESS',
    });
    await sleep(300);
    await handler(message([], 'm-1'));
    await handler(message([], 'm-1'));
    expect(calls).toBe(1);
  });
});

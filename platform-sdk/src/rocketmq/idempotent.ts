/**
 * Idempotent consumption: RocketMQ delivers at least once (a redelivery after a lost ack, an
 * outbox relay resending after a crash), so a handler whose effect must happen once is wrapped:
 *
 *   consumer handler = idempotent(redis, { namespace: 'order-paid' }, applyPayment)
 *
 * The message's dedupe key (its first key by default: the business or event id the producer
 * set, else the message id) is claimed in Redis before the handler runs (SET NX with a
 * processing lease), marked done after it succeeds, and released when it throws, so a failed
 * handler is retried by the next delivery while a finished one is skipped. A delivery that finds
 * the key claimed by a handler still running throws SILK_MQ_DUPLICATE_IN_PROGRESS, which the
 * consumer answers with a redelivery after back-off.
 *
 * The window this leaves: a process that dies after the handler's effect but before the done
 * mark is written has its lease expire and the message applied again. Handlers whose effect is
 * in the same Redis, or that record the key in their own database transaction, close it.
 */
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DuplicateInProgressError, MqOptionsError } from './errors.js';
import type { MessageHandler } from './consumer.js';
import type { ReceivedMessage } from './message.js';

export interface IdempotentOptions {
  /** Prefix of the Redis keys (one per consumer group or effect): `silk:mq:dedupe:<namespace>:<key>`. */
  namespace: string;
  /** The dedupe key of a message (default: first message key, else the message id). */
  keyOf?: (message: ReceivedMessage) => string;
  /** How long a done mark is kept (default 7 days; longer than any redelivery or relay backlog). */
  doneTtlMs?: number;
  /** How long a claim lasts if its holder dies (default 60 s; longer than the handler runs). */
  processingTtlMs?: number;
  /** Told when a delivery was skipped as already done. */
  onDuplicate?: (message: ReceivedMessage, key: string) => void;
}

const DONE = 'done';

// Only the claimant may finish or release its claim: another delivery may have claimed the key
// after this one's lease expired.
const FINISH = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) end return 0`;

export function dedupeKeyOf(message: ReceivedMessage): string {
  return message.keys[0] ?? message.messageId;
}

export function idempotent(
  redis: Redis,
  options: IdempotentOptions,
  handler: MessageHandler,
): MessageHandler {
  if (!options.namespace)
    throw new MqOptionsError('idempotent', 'namespace', options.namespace, 'a non-empty name');
  const keyOf = options.keyOf ?? dedupeKeyOf;
  const doneTtl = options.doneTtlMs ?? 7 * 24 * 3600_000;
  const processingTtl = options.processingTtlMs ?? 60_000;
  return async (message) => {
    const key = keyOf(message);
    const redisKey = `silk:mq:dedupe:${options.namespace}:${key}`;
    const token = `processing:${randomUUID()}`;
    const claimed = await redis.set(redisKey, token, 'PX', processingTtl, 'NX');
    if (claimed !== 'OK') {
      const state = await redis.get(redisKey);
      if (state === DONE) {
        options.onDuplicate?.(message, key);
        return;
      }
      // Claimed and still running elsewhere, or released between our two calls: try again later.
      throw new DuplicateInProgressError(key);
    }
    try {
      await handler(message);
    } catch (err) {
      await redis.eval(RELEASE, 1, redisKey, token);
      throw err;
    }
    await redis.eval(FINISH, 1, redisKey, token, DONE, String(doneTtl));
  };
}

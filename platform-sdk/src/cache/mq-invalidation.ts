/**
 * Cache invalidation events over RocketMQ, so a writer in another service — Java included —
 * clears Silk's caches without knowing Redis key layouts or pub/sub channels.
 *
 * Message (a NORMAL topic, `silk-cache-invalidation` by default):
 *   tag   the cache name (so a consumer subscribes to its caches only: `products || stock`)
 *   keys  the cache keys, as the cache's keyCodec writes them (RocketMQ keys: no spaces)
 *   body  free text, ignored (a Java writer may put the entity there for its own logs)
 *
 * A Java writer sends it with the plain client:
 *   producer.send(provider.newMessageBuilder().setTopic("silk-cache-invalidation")
 *       .setTag("products").setKeys("42", "43").setBody(...).build());
 *
 * The handler runs `evictEncoded` for each key, which drops the key from Redis and from every
 * instance's L1 (over the cache's pub/sub channel), so one consumer per consumer group is enough;
 * an eviction that fails (Redis away) throws, and RocketMQ redelivers the message later.
 *
 * Wiring uses `rocketmq/`'s public API; only its types are imported here, so `cache/` loads no
 * messaging client unless the service builds one:
 *
 *   new MessageConsumer({ endpoints, consumerGroup: `${app}-cache-invalidation`,
 *     subscriptions: [cacheInvalidationSubscription([products])],
 *     handler: cacheInvalidationHandler([products]) });
 *   await producer.send(cacheInvalidationMessage('products', ['42']));
 */
import type { OutgoingMessage, ReceivedMessage, Subscription } from '../rocketmq/index.js';
import { CacheOptionsError } from './errors.js';
import { consoleLogger, type CacheLogger } from './logger.js';

export const CACHE_INVALIDATION_TOPIC = 'silk-cache-invalidation';

/** What the handler needs of a cache; `Cache` fits it. */
export interface InvalidatedCache {
  readonly name: string;
  /** Evicts a key given as its keyCodec text. */
  evictEncoded(keyText: string): Promise<void>;
}

function byName(caches: readonly InvalidatedCache[]): Map<string, InvalidatedCache[]> {
  const map = new Map<string, InvalidatedCache[]>();
  for (const cache of caches) {
    const list = map.get(cache.name) ?? [];
    list.push(cache);
    map.set(cache.name, list);
  }
  return map;
}

/** The subscription for `caches`: their names as the tag expression (broker-side filtering). */
export function cacheInvalidationSubscription(
  caches: readonly InvalidatedCache[],
  topic: string = CACHE_INVALIDATION_TOPIC,
): Subscription {
  if (caches.length === 0)
    throw new CacheOptionsError('cache-invalidation', 'caches', 0, 'at least one cache to invalidate');
  return { topic, tags: [...byName(caches).keys()].join(' || ') };
}

/**
 * A MessageConsumer handler that evicts the message's keys from the cache its tag names.
 * Messages for other caches, or without keys, are logged and acknowledged: redelivering them
 * cannot make them useful.
 */
export function cacheInvalidationHandler(
  caches: readonly InvalidatedCache[],
  logger: CacheLogger = consoleLogger,
): (message: ReceivedMessage) => Promise<void> {
  const named = byName(caches);
  return async (message) => {
    const targets = message.tag === undefined ? undefined : named.get(message.tag);
    if (targets === undefined || message.keys.length === 0) {
      logger.warn(
        { messageId: message.messageId, tag: message.tag, keys: message.keys },
        'ignoring a cache invalidation message: no such cache here, or no keys',
      );
      return;
    }
    await Promise.all(targets.flatMap((cache) => message.keys.map((key) => cache.evictEncoded(key))));
  };
}

/** The message that invalidates `keys` (keyCodec text) of the cache named `cacheName`. */
export function cacheInvalidationMessage(
  cacheName: string,
  keys: readonly string[],
  topic: string = CACHE_INVALIDATION_TOPIC,
): OutgoingMessage {
  if (keys.length === 0) throw new CacheOptionsError(cacheName, 'keys', 0, 'at least one key to invalidate');
  return { topic, tag: cacheName, keys, body: `invalidate ${cacheName}` };
}

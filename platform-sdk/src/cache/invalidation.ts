/**
 * Cross-instance invalidation of the in-process level over Redis pub/sub, one channel per cache.
 *
 * Message (JSON): {"o": "<origin instance id>", "k": ["key", ...]} or {"o": ..., "all": true}.
 *
 * An instance ignores its own messages: it applies its invalidation locally (drop the L1 entry,
 * mark the in-flight read stale) *before* it sends the Redis write, and later reads go out on the
 * same connection after that write, so the echo could only drop a value that is already fresh.
 *
 * Pub/sub is at-most-once: messages sent while the subscriber reconnects are lost. So while the
 * subscriber is down L1 is not trusted (neither read nor filled), on every reconnect the whole
 * L1 is dropped, and L1 entries also carry a short TTL as a last resort. A cluster client gives
 * no event when its subscription moves to another node; any change of its node set (a master
 * lost or back) drops L1 and distrusts it for CLUSTER_QUIET_MS, long enough to resubscribe.
 */
import type { Clock } from './clock.js';
import type { RedisClient } from './lua.js';

/** After a cluster node change, how long L1 stays untrusted (the subscription may be moving). */
export const CLUSTER_QUIET_MS = 1_000;
import type { CacheLogger } from './logger.js';

export type InvalidationMessage = { origin: string; keys: string[] } | { origin: string; all: true };

export function encodeInvalidation(message: InvalidationMessage): string {
  return 'all' in message
    ? JSON.stringify({ o: message.origin, all: true })
    : JSON.stringify({ o: message.origin, k: message.keys });
}

/** Parses a message; anything malformed gives undefined (and is logged by the caller). */
export function decodeInvalidation(text: string): InvalidationMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { o, k, all } = raw as { o?: unknown; k?: unknown; all?: unknown };
  if (typeof o !== 'string') return undefined;
  if (all === true) return { origin: o, all: true };
  if (Array.isArray(k) && k.every((x): x is string => typeof x === 'string')) return { origin: o, keys: k };
  return undefined;
}

export interface InvalidationHandler {
  /** Keys invalidated by another instance. */
  onKeys(keys: readonly string[]): void;
  /** Everything must go (a remote "all", or our subscription was interrupted). */
  onAll(reason: 'remote' | 'reconnect'): void;
}

export class InvalidationBus {
  readonly #subscriber: RedisClient;
  readonly #channel: string;
  readonly #origin: string;
  readonly #handler: InvalidationHandler;
  readonly #logger: CacheLogger;
  #subscribed = false;
  #connected = true;
  #quietUntil = 0;
  readonly #clock: Clock;

  constructor(
    subscriber: RedisClient,
    channel: string,
    origin: string,
    handler: InvalidationHandler,
    logger: CacheLogger,
    clock: Clock,
  ) {
    this.#clock = clock;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#origin = origin;
    this.#handler = handler;
    this.#logger = logger;
  }

  readonly #onMessage = (channel: string, text: string): void => {
    if (channel !== this.#channel) return;
    const message = decodeInvalidation(text);
    if (message === undefined) {
      this.#logger.warn(
        { channel, text: text.slice(0, 200) },
        'ignoring a malformed cache invalidation message',
      );
      return;
    }
    if (message.origin === this.#origin) return;
    if ('all' in message) this.#handler.onAll('remote');
    else this.#handler.onKeys(message.keys);
  };

  // ioredis re-subscribes by itself after a reconnect; what it cannot do is replay the messages
  // published meanwhile, hence the full local drop.
  readonly #onReady = (): void => {
    this.#connected = true;
    if (this.#subscribed) this.#handler.onAll('reconnect');
  };

  readonly #onClose = (): void => {
    this.#connected = false;
    if (this.#subscribed) this.#handler.onAll('reconnect');
  };

  readonly #onNodeChange = (): void => {
    this.#quietUntil = this.#clock.now() + CLUSTER_QUIET_MS;
    if (this.#subscribed) this.#handler.onAll('reconnect');
  };

  /** Whether L1 may be read and filled: invalidations are being heard. */
  get trusted(): boolean {
    if (this.#quietUntil !== 0) {
      if (this.#clock.now() < this.#quietUntil) return false;
      this.#quietUntil = 0;
    }
    return this.#connected;
  }

  async start(): Promise<void> {
    this.#subscriber.on('message', this.#onMessage);
    this.#subscriber.on('ready', this.#onReady);
    this.#subscriber.on('close', this.#onClose);
    this.#subscriber.on('-node', this.#onNodeChange);
    this.#subscriber.on('+node', this.#onNodeChange);
    await this.#subscriber.subscribe(this.#channel);
    this.#subscribed = true;
  }

  async stop(): Promise<void> {
    this.#subscriber.off('message', this.#onMessage);
    this.#subscriber.off('ready', this.#onReady);
    this.#subscriber.off('close', this.#onClose);
    this.#subscriber.off('-node', this.#onNodeChange);
    this.#subscriber.off('+node', this.#onNodeChange);
    if (this.#subscribed && this.#subscriber.status === 'ready')
      await this.#subscriber.unsubscribe(this.#channel);
    this.#subscribed = false;
  }

  message(keys: readonly string[]): string {
    return encodeInvalidation({ origin: this.#origin, keys: [...keys] });
  }

  messageAll(): string {
    return encodeInvalidation({ origin: this.#origin, all: true });
  }

  get channel(): string {
    return this.#channel;
  }
}

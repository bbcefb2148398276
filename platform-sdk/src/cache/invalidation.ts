/**
 * Cross-instance invalidation of the in-process level over Redis pub/sub, one channel per cache.
 *
 * Message (JSON): {"o": "<origin instance id>", "k": ["key", ...]} or {"o": ..., "all": true}.
 *
 * An instance ignores its own messages: it applies its invalidation locally (drop the L1 entry,
 * mark the in-flight read stale) before it sends the Redis write and again once the write has
 * returned (see cache.ts), so its own echo would only drop a value that is already fresh.
 *
 * Pub/sub is at-most-once: messages sent while the subscriber is away are lost, and a cluster
 * client whose subscription sits on a dead node may not say so. So the bus checks that it hears
 * its channel: every HEARTBEAT_MS it publishes a probe and expects to hear it back before the
 * next beat. L1 is only trusted (read and filled) while it does; when a probe goes unheard, the
 * subscriber's connection closes, or a cluster client's node set changes, the whole L1 is
 * dropped and stays unused until a probe comes back. A deaf subscriber can thus keep a stale
 * L1 entry for about two heartbeats, not for the L1 TTL (which stays as a last resort).
 *
 * Probes alone miss a short gap: ioredis's cluster client subscribes on one node over a
 * connection of its own, and when that node dies it quietly subscribes again on another; if
 * that takes less than a beat, every probe is heard, yet what was published in between is
 * lost. So the bus also watches that connection: its close, or a new one in its place, drops
 * L1 at once. And when trust comes back, reads that started while deaf are marked stale too:
 * they may have read a value whose invalidation fell into the gap.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from './clock.js';
import type { CacheLogger } from './logger.js';
import type { RedisClient } from './lua.js';

export const HEARTBEAT_MS = 200;

export type InvalidationMessage =
  { origin: string; keys: string[] } | { origin: string; all: true } | { origin: string; probe: string };

export function encodeInvalidation(message: InvalidationMessage): string {
  if ('all' in message) return JSON.stringify({ o: message.origin, all: true });
  if ('probe' in message) return JSON.stringify({ o: message.origin, p: message.probe });
  return JSON.stringify({ o: message.origin, k: message.keys });
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
  const { o, k, all, p } = raw as { o?: unknown; k?: unknown; all?: unknown; p?: unknown };
  if (typeof o !== 'string') return undefined;
  if (all === true) return { origin: o, all: true };
  if (typeof p === 'string') return { origin: o, probe: p };
  if (Array.isArray(k) && k.every((x): x is string => typeof x === 'string')) return { origin: o, keys: k };
  return undefined;
}

/**
 * The connection a cluster client holds its subscriptions on. ioredis keeps it private (the
 * Cluster's `subscriber`, whose `getInstance()` is the current connection), so this reads it
 * defensively: undefined for a single Redis, or if a later ioredis moves it.
 */
export function subscriptionConnection(client: RedisClient): EventEmitter | undefined {
  if (!client.isCluster) return undefined;
  const holder = (client as unknown as { subscriber?: { getInstance?: () => EventEmitter | null } })
    .subscriber;
  return typeof holder?.getInstance === 'function' ? (holder.getInstance() ?? undefined) : undefined;
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
  /** No probe came back lately: L1 is neither read nor filled. */
  #deaf = false;
  /** The latest probe sent and not yet heard back. */
  #probe: string | undefined;
  #heartbeat: TimerHandle | undefined;
  /** The cluster client's current subscription connection, watched for its close. */
  #connection: EventEmitter | undefined;
  readonly #clock: Clock;
  readonly #publish: (channel: string, message: string) => Promise<unknown>;

  constructor(
    subscriber: RedisClient,
    channel: string,
    origin: string,
    handler: InvalidationHandler,
    logger: CacheLogger,
    clock: Clock,
    publish: (channel: string, message: string) => Promise<unknown>,
  ) {
    this.#clock = clock;
    this.#publish = publish;
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
    if ('probe' in message) {
      if (message.origin === this.#origin) this.#heard(message.probe);
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
    this.#distrust();
  };

  readonly #onClose = (): void => {
    this.#connected = false;
    this.#distrust();
  };

  readonly #onNodeChange = (): void => {
    this.#watchConnection();
    this.#distrust();
  };

  readonly #onConnectionClose = (): void => this.#distrust();

  /**
   * Follows the cluster client's subscription connection; returns true when another one took
   * the place of the one watched, i.e. a gap was possible.
   */
  #watchConnection(): boolean {
    const current = subscriptionConnection(this.#subscriber);
    if (current === this.#connection) return false;
    const replaced = this.#connection !== undefined;
    this.#connection?.off('close', this.#onConnectionClose);
    this.#connection = current;
    current?.on('close', this.#onConnectionClose);
    return replaced;
  }

  /** Whether L1 may be read and filled: the channel is known to be heard. */
  get trusted(): boolean {
    return this.#connected && !this.#deaf;
  }

  #distrust(): void {
    if (!this.#subscribed) return;
    this.#goDeaf();
    this.#sendProbe();
  }

  #goDeaf(): void {
    this.#deaf = true;
    this.#handler.onAll('reconnect');
  }

  #sendProbe(): void {
    const probe = randomUUID();
    this.#probe = probe;
    this.#publish(this.#channel, encodeInvalidation({ origin: this.#origin, probe })).catch(() => undefined);
  }

  #heard(probe: string): void {
    if (probe !== this.#probe) return;
    this.#probe = undefined;
    if (!this.#deaf) return;
    this.#deaf = false;
    this.#handler.onAll('reconnect');
  }

  #beat(): void {
    this.#heartbeat = this.#clock.setTimeout(() => {
      // The previous probe had a whole beat to come back; a new subscription connection may
      // have missed messages even if it came back.
      const replaced = this.#watchConnection();
      if (this.#probe !== undefined || replaced) this.#goDeaf();
      this.#sendProbe();
      this.#beat();
    }, HEARTBEAT_MS);
    if (typeof this.#heartbeat === 'object' && 'unref' in this.#heartbeat) this.#heartbeat.unref();
  }

  async start(): Promise<void> {
    this.#subscriber.on('message', this.#onMessage);
    this.#subscriber.on('ready', this.#onReady);
    this.#subscriber.on('close', this.#onClose);
    this.#subscriber.on('-node', this.#onNodeChange);
    this.#subscriber.on('+node', this.#onNodeChange);
    await this.#subscriber.subscribe(this.#channel);
    this.#subscribed = true;
    this.#watchConnection();
    this.#beat();
  }

  async stop(): Promise<void> {
    this.#subscriber.off('message', this.#onMessage);
    this.#subscriber.off('ready', this.#onReady);
    this.#subscriber.off('close', this.#onClose);
    this.#subscriber.off('-node', this.#onNodeChange);
    this.#subscriber.off('+node', this.#onNodeChange);
    if (this.#heartbeat !== undefined) this.#clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#connection?.off('close', this.#onConnectionClose);
    this.#connection = undefined;
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

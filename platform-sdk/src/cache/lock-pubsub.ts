/**
 * Waiting for a lock without spinning (Redisson's LockPubSub): a waiter subscribes to the lock's
 * unlock channel, retries when a release is published, and otherwise sleeps until the holder's
 * lease would run out. One subscription per channel is shared by all local waiters (ref-counted).
 *
 * Each waiter has its own "signalled" flag, set by every message: a release that lands between a
 * failed attempt and the next `wait` is not lost (Redisson uses a semaphore for the same reason).
 */
import type { RedisClient } from './lua.js';
import type { Clock } from './clock.js';

export interface UnlockWaiter {
  /** Resolves on the next release message (or one already received), or after `ms`. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  release(): Promise<void>;
}

interface ChannelState {
  ready: Promise<unknown>;
  waiters: Set<WaiterState>;
}

interface WaiterState {
  signalled: boolean;
  wake: (() => void) | undefined;
}

export class LockPubSub {
  readonly #subscriber: RedisClient;
  readonly #clock: Clock;
  readonly #channels = new Map<string, ChannelState>();
  #listening = false;

  constructor(subscriber: RedisClient, clock: Clock) {
    this.#subscriber = subscriber;
    this.#clock = clock;
  }

  // Any message wakes the waiters: they re-check the lock, so an unexpected payload costs one try.
  readonly #onMessage = (channel: string): void => {
    const state = this.#channels.get(channel);
    if (state === undefined) return;
    for (const waiter of state.waiters) {
      waiter.signalled = true;
      waiter.wake?.();
    }
  };

  async subscribe(channel: string): Promise<UnlockWaiter> {
    if (!this.#listening) {
      this.#subscriber.on('message', this.#onMessage);
      this.#listening = true;
    }
    let state = this.#channels.get(channel);
    if (state === undefined) {
      state = { ready: this.#subscriber.subscribe(channel), waiters: new Set() };
      this.#channels.set(channel, state);
    }
    const waiter: WaiterState = { signalled: false, wake: undefined };
    state.waiters.add(waiter);
    const channelState = state;
    try {
      await state.ready;
    } catch (error) {
      await this.#leave(channel, channelState, waiter);
      throw error;
    }
    return {
      wait: (ms, signal) => this.#wait(waiter, ms, signal),
      release: () => this.#leave(channel, channelState, waiter),
    };
  }

  #wait(waiter: WaiterState, ms: number, signal?: AbortSignal): Promise<void> {
    if (waiter.signalled || signal?.aborted === true) {
      waiter.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiter.wake = undefined;
        waiter.signalled = false;
        resolve();
      };
      const timer = this.#clock.setTimeout(done, Math.max(0, ms));
      waiter.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async #leave(channel: string, state: ChannelState, waiter: WaiterState): Promise<void> {
    state.waiters.delete(waiter);
    if (state.waiters.size > 0 || this.#channels.get(channel) !== state) return;
    this.#channels.delete(channel);
    if (this.#subscriber.status === 'ready')
      await this.#subscriber.unsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#subscriber.off('message', this.#onMessage);
    this.#listening = false;
    const channels = [...this.#channels.keys()];
    this.#channels.clear();
    if (channels.length > 0 && this.#subscriber.status === 'ready')
      await this.#subscriber.unsubscribe(...channels).catch(() => undefined);
  }
}

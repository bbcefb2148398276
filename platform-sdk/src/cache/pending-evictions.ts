/**
 * Evictions Redis did not take (a node down, a cluster without full slot coverage, a timeout).
 * The source of truth has already changed when an eviction runs, so giving up would leave Redis
 * serving the old value once it is back; instead the key is remembered and retried in the
 * background until Redis takes it. Meanwhile this instance reads the key from the loader
 * without caching it, so the writer never reads its own stale value.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { CacheLogger } from './logger.js';

export class PendingEvictions {
  readonly #keys = new Set<string>();
  readonly #evict: (text: string) => Promise<void>;
  readonly #clock: Clock;
  readonly #retryMs: number;
  readonly #logger: CacheLogger;
  readonly #cache: string;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    cache: string,
    evict: (text: string) => Promise<void>,
    clock: Clock,
    retryMs: number,
    logger: CacheLogger,
  ) {
    this.#cache = cache;
    this.#evict = evict;
    this.#clock = clock;
    this.#retryMs = retryMs;
    this.#logger = logger;
  }

  get size(): number {
    return this.#keys.size;
  }

  has(text: string): boolean {
    return this.#keys.size > 0 && this.#keys.has(text);
  }

  add(text: string, error: unknown): void {
    if (!this.#keys.has(text))
      this.#logger.warn(
        { cache: this.#cache, key: text, error },
        'eviction not taken by Redis; retrying it in the background',
      );
    this.#keys.add(text);
    this.#schedule();
  }

  /** A later eviction of the key went through: nothing left to retry for it. */
  done(text: string): void {
    this.#keys.delete(text);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#retry();
    }, this.#retryMs);
  }

  async #retry(): Promise<void> {
    await Promise.all(
      [...this.#keys].map((text) =>
        this.#evict(text).then(
          () => this.#keys.delete(text),
          () => undefined,
        ),
      ),
    );
    if (this.#keys.size > 0) this.#schedule();
  }
}

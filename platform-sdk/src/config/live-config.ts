/**
 * A service's configuration kept live: loads every source once on start, then follows the
 * sources whose refresh flag is on, feeding each change to the ConfigStore (which parses,
 * validates and swaps, or keeps the last good config). Where the content comes from is a
 * port, `ConfigRepository`, implemented by `nacos/` over the Nacos client.
 */
import type { Component } from '../core/index.js';
import type { ConfigStore } from './config-store.js';
import { ConfigUnavailableError } from './errors.js';
import type { ConfigSource } from './sources.js';

export interface ConfigRepository {
  /** The content, or undefined when the dataId does not exist. Throws when it cannot tell. */
  get(source: ConfigSource): Promise<string | undefined>;
  /** Calls `onChange` with each new content (undefined when deleted); returns an unsubscribe. */
  subscribe(source: ConfigSource, onChange: (content: string | undefined) => void): () => void;
}

export class LiveConfig<T> implements Component {
  readonly name = 'config';
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    readonly store: ConfigStore<T>,
    private readonly sources: readonly ConfigSource[],
    private readonly repository: ConfigRepository,
    private readonly onError: (err: unknown, source: ConfigSource) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const contents = await Promise.all(
      this.sources.map(async (s) => {
        try {
          return [`${s.group}/${s.dataId}`, await this.repository.get(s)] as const;
        } catch (err) {
          throw new ConfigUnavailableError(s.dataId, err);
        }
      }),
    );
    await this.store.load(new Map(contents));
    for (const s of this.sources.filter((x) => x.refresh)) {
      this.unsubscribes.push(
        this.repository.subscribe(s, (content) => {
          this.store.update(s, content).catch((err: unknown) => this.onError(err, s));
        }),
      );
    }
  }

  stop(): void {
    for (const u of this.unsubscribes.splice(0)) u();
  }
}

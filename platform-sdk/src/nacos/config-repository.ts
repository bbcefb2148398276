/**
 * The config port of `config/` over the `nacos` client: reads a dataId and follows it with
 * the client's long poll (Nacos' `/v1/cs/configs/listener`). The client keeps its own disk
 * snapshot of every dataId it has read and answers from it while Nacos is unreachable, which
 * is what lets a service start during a Nacos outage.
 *
 * It uses the client's `DataClient` itself, not `NacosConfigClient`: the latter wraps it in
 * cluster-client, which makes every config client on the machine (other processes included,
 * through 127.0.0.1:7777) share one leader built from the first client's options — a second
 * repository with another server or namespace would silently read the first's — and one
 * long poll, which picks up a dataId subscribed while a poll is in flight only when that
 * poll ends, up to 30 s later.
 */
import { DataClient } from 'nacos';
import type { ConfigRepository, ConfigSource } from '../config/index.js';
import type { NacosConnection } from './client.js';

export interface NacosConfigRepositoryOptions {
  connection: NacosConnection;
  /** Where the client keeps its snapshots; default its own (~/.node-nacos). */
  cacheDir?: string;
}

export class NacosConfigRepository implements ConfigRepository {
  readonly client: DataClient;

  constructor(opts: NacosConfigRepositoryOptions) {
    const c = opts.connection;
    const ns = c.namespace === 'public' ? '' : (c.namespace ?? '');
    this.client = new DataClient({
      serverAddr: c.serverAddr,
      namespace: ns,
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    });
  }

  /** What `get` last returned per dataId@group, so a subscription does not repeat it. */
  readonly #lastRead = new Map<string, string | undefined>();

  async get(source: ConfigSource): Promise<string | undefined> {
    const content = (await this.client.getConfig(source.dataId, source.group, {})) as
      string | null | undefined;
    const value = content === null || content === undefined || content === '' ? undefined : content;
    this.#lastRead.set(`${source.dataId}@${source.group}`, value);
    return value;
  }

  subscribe(source: ConfigSource, onChange: (content: string | undefined) => void): () => void {
    const info = { dataId: source.dataId, group: source.group };
    // The client delivers the current content once on subscribing; a caller that has just
    // read it with `get` would see it twice. Only changes are passed on.
    const key = `${source.dataId}@${source.group}`;
    let last = this.#lastRead.has(key) ? this.#lastRead.get(key) : null;
    const listener = (content: string | null) => {
      const value = content ? content : undefined;
      if (value === last) return;
      last = value;
      onChange(value);
    };
    this.client.subscribe(info, listener);
    return () => this.client.unSubscribe(info, listener);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The config port of `config/` over Silk's own Nacos config client (config-client.ts): reads a
 * dataId and follows it with the v1 long poll, authenticated by access token. The client keeps
 * a disk snapshot of every dataId it has read and answers from it while Nacos is unreachable,
 * which is what lets a service start during a Nacos outage.
 *
 * It replaced the `nacos` npm client's DataClient, which sent username and password with every
 * call (a password-hash check on the server, ~75 ms, between each change and its listener), and
 * which NacosConfigClient (its cluster-client wrapper) would share between every config client
 * on the machine.
 */
import type { ConfigRepository, ConfigSource } from '../config/index.js';
import type { NacosClientLogger, NacosConnection } from './client.js';
import { NacosConfigClient } from './config-client.js';

export interface NacosConfigRepositoryOptions {
  connection: NacosConnection;
  /** Where the client keeps its snapshots; default ~/.silk/nacos-config. */
  cacheDir?: string;
  logger?: Pick<NacosClientLogger, 'warn' | 'debug'>;
}

export class NacosConfigRepository implements ConfigRepository {
  readonly client: NacosConfigClient;

  constructor(opts: NacosConfigRepositoryOptions) {
    this.client = new NacosConfigClient({
      connection: opts.connection,
      ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    });
  }

  /** What `get` last returned per dataId@group: a subscription starts from it, so it is not repeated. */
  readonly #lastRead = new Map<string, string | undefined>();

  async get(source: ConfigSource): Promise<string | undefined> {
    const value = await this.client.getConfig(source.dataId, source.group);
    this.#lastRead.set(`${source.dataId}@${source.group}`, value);
    return value;
  }

  subscribe(source: ConfigSource, onChange: (content: string | undefined) => void): () => void {
    const key = `${source.dataId}@${source.group}`;
    const known = this.#lastRead.has(key) ? { content: this.#lastRead.get(key) } : undefined;
    return this.client.subscribe(source.dataId, source.group, onChange, known);
  }

  close(): void {
    this.client.close();
  }
}

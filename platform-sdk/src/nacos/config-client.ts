/**
 * Nacos config over the v1 Open API, the way the Java client follows configs: one long poll
 * (`/v1/cs/configs/listener`) names every followed dataId with the digest of the content held;
 * Nacos answers at once when a digest is stale, or as soon as one of them changes, or after
 * 30 s with nothing; each changed dataId is then read and handed to its listeners.
 *
 * - A dataId followed while a poll is in flight restarts the poll, so it is watched at once.
 * - Every successful read is kept as a local snapshot, served when Nacos cannot be reached
 *   (a service starting during an outage still gets its config).
 * - When Nacos is away the poll retries with a growing pause (capped), and compares digests
 *   again when it is back, so a change made meanwhile is still delivered.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { NacosClientLogger, NacosConnection } from './client.js';
import {
  contentMd5,
  decodeChangedConfigs,
  encodeListeningConfigs,
  groupKey,
  type ListenKey,
} from './config-wire.js';
import { NacosConfigUnavailableError } from './errors.js';
import { NacosOpenApi } from './open-api.js';

export interface NacosConfigClientOptions {
  connection: NacosConnection;
  /** Where snapshots are kept; default ~/.silk/nacos-config. */
  cacheDir?: string;
  logger?: Pick<NacosClientLogger, 'warn' | 'debug'>;
  /** How long Nacos holds a poll with nothing changed; default 30 s as the Java client asks. */
  pollTimeoutMs?: number;
  requestTimeoutMs?: number;
}

type Listener = (content: string | undefined) => void;

interface Followed extends ListenKey {
  md5: string;
  content: string | undefined;
  listeners: Set<Listener>;
}

const CONFIG_PATH = '/v1/cs/configs';
const LISTENER_PATH = '/v1/cs/configs/listener';
const MAX_RETRY_PAUSE_MS = 10_000;

export class NacosConfigClient {
  readonly api: NacosOpenApi;
  readonly #tenant: string;
  readonly #cacheDir: string;
  readonly #log: Pick<NacosClientLogger, 'warn' | 'debug'> | undefined;
  readonly #pollTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #followed = new Map<string, Followed>();
  #poll: AbortController | undefined;
  #looping = false;
  #closed = false;

  constructor(opts: NacosConfigClientOptions) {
    this.api = new NacosOpenApi(opts.connection);
    const ns = opts.connection.namespace ?? '';
    this.#tenant = ns === 'public' ? '' : ns;
    this.#cacheDir = opts.cacheDir ?? join(homedir(), '.silk', 'nacos-config');
    this.#log = opts.logger;
    this.#pollTimeoutMs = opts.pollTimeoutMs ?? 30_000;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 5_000;
  }

  /** The content of a dataId (undefined when Nacos has none), or its snapshot when Nacos is unreachable. */
  // `_options` and `publishSingle` keep the `nacos` npm DataClient's call shapes, which
  // dubbo/app-registration.ts was written against.
  async getConfig(dataId: string, group: string, _options?: object): Promise<string | undefined> {
    const key: ListenKey = { dataId, group, tenant: this.#tenant };
    try {
      const content = await this.#read(key);
      this.#saveSnapshot(key, content);
      return content;
    } catch (err) {
      const snapshot = this.#loadSnapshot(key);
      if (snapshot === null) throw new NacosConfigUnavailableError(dataId, group, this.api.server, err);
      this.#log?.warn({ err, dataId, group }, 'Nacos unreachable: config served from the local snapshot');
      return snapshot;
    }
  }

  /** Publishes content as the Open API's `POST /v1/cs/configs` does; true when Nacos took it. */
  async publishConfig(dataId: string, group: string, content: string, type?: string): Promise<boolean> {
    const params: Record<string, string> = { dataId, group, content, ...(type ? { type } : {}) };
    if (this.#tenant) params.tenant = this.#tenant;
    const res = await this.api.call('POST', CONFIG_PATH, params, { timeoutMs: this.#requestTimeoutMs });
    return res.status === 200 && res.body.trim() === 'true';
  }

  async publishSingle(dataId: string, group: string, content: string): Promise<boolean> {
    return this.publishConfig(dataId, group, content);
  }

  /**
   * Follows a dataId; `listener` gets each content that differs from the one held before
   * (`known`: what the caller last read; default the snapshot's, or none).
   */
  subscribe(
    dataId: string,
    group: string,
    listener: Listener,
    known?: { content: string | undefined },
  ): () => void {
    const key: ListenKey = { dataId, group, tenant: this.#tenant };
    const id = groupKey(key);
    let f = this.#followed.get(id);
    if (!f) {
      const content = known ? known.content : (this.#loadSnapshot(key) ?? undefined);
      f = { ...key, content, md5: contentMd5(content), listeners: new Set() };
      this.#followed.set(id, f);
      this.#restartPoll();
    }
    f.listeners.add(listener);
    return () => {
      const cur = this.#followed.get(id);
      if (!cur?.listeners.delete(listener) || cur.listeners.size > 0) return;
      this.#followed.delete(id);
      this.#restartPoll();
    };
  }

  close(): void {
    this.#closed = true;
    this.#poll?.abort();
    this.#followed.clear();
    this.api.close();
  }

  async #read(key: ListenKey): Promise<string | undefined> {
    const params: Record<string, string> = { dataId: key.dataId, group: key.group };
    if (key.tenant) params.tenant = key.tenant;
    const res = await this.api.call('GET', CONFIG_PATH, params, { timeoutMs: this.#requestTimeoutMs });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    return res.body === '' ? undefined : res.body;
  }

  /** Aborting the poll in flight makes the loop send a new one naming the current set. */
  #restartPoll(): void {
    if (this.#closed) return;
    this.#poll?.abort();
    if (!this.#looping) void this.#loop();
  }

  async #loop(): Promise<void> {
    this.#looping = true;
    let pause = 500;
    try {
      while (!this.#closed && this.#followed.size > 0) {
        const ctl = new AbortController();
        this.#poll = ctl;
        try {
          const changed = await this.#longPoll(ctl.signal);
          pause = 500;
          await Promise.all(changed.map((k) => this.#refresh(k)));
        } catch (err) {
          if (ctl.signal.aborted) continue;
          this.#log?.warn(
            { err, server: this.api.server },
            `Nacos config poll failed; retrying in ${pause} ms`,
          );
          await new Promise((r) => setTimeout(r, pause).unref());
          pause = Math.min(pause * 2, MAX_RETRY_PAUSE_MS);
        }
      }
    } finally {
      this.#looping = false;
    }
  }

  async #longPoll(signal: AbortSignal): Promise<ListenKey[]> {
    const params: Record<string, string> = {
      'Listening-Configs': encodeListeningConfigs(this.#followed.values()),
    };
    if (this.#tenant) params.tenant = this.#tenant;
    const res = await this.api.call('POST', LISTENER_PATH, params, {
      timeoutMs: this.#pollTimeoutMs + 10_000,
      headers: { 'Long-Pulling-Timeout': String(this.#pollTimeoutMs) },
      signal,
    });
    if (res.status !== 200)
      throw new Error(`listener answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    return decodeChangedConfigs(res.body);
  }

  async #refresh(key: ListenKey): Promise<void> {
    const f = this.#followed.get(groupKey(key));
    if (!f) return;
    const content = await this.#read(f);
    const md5 = contentMd5(content);
    if (md5 === f.md5) return;
    f.content = content;
    f.md5 = md5;
    for (const l of [...f.listeners]) {
      try {
        l(content);
      } catch (err) {
        this.#log?.warn({ err, dataId: f.dataId }, 'a config listener threw');
      }
    }
    this.#saveSnapshot(f, content);
  }

  #snapshotFile(k: ListenKey): string {
    const server = this.api.connection.serverAddr.replace(/[^\w.-]+/g, '_');
    return join(
      this.#cacheDir,
      server,
      k.tenant || 'public',
      encodeURIComponent(k.group),
      encodeURIComponent(k.dataId),
    );
  }

  /** null: no snapshot; '' stored means Nacos had no content. */
  #loadSnapshot(k: ListenKey): string | undefined | null {
    try {
      const text = readFileSync(this.#snapshotFile(k), 'utf8');
      return text === '' ? undefined : text;
    } catch {
      return null;
    }
  }

  #saveSnapshot(k: ListenKey, content: string | undefined): void {
    const file = this.#snapshotFile(k);
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, content ?? '');
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.#log?.warn({ err, file }, 'could not keep a config snapshot');
    }
  }
}

/**
 * Nacos naming over the v1 Open API, authenticated by access token (open-api.ts): register,
 * deregister, heartbeats for ephemeral instances, instance lists, and a polled subscription.
 * It keeps the call shapes of the `nacos` npm NacosNamingClient that registration, discovery
 * and Dubbo's registry were written against, without that package's weight (some 200 modules
 * and 15–20 MB resident) or its username-and-password on every call, which made Nacos check
 * the password hash for each heartbeat.
 *
 *   register    POST   /v1/ns/instance        (serviceName is group@@name, as the server keys it)
 *   deregister  DELETE /v1/ns/instance
 *   heartbeat   PUT    /v1/ns/instance/beat   beat = the instance as JSON; code 20404 → register again
 *   list        GET    /v1/ns/instance/list
 */
import type { NacosClientLogger, NacosConnection } from './client.js';
import { NacosOpenApi } from './open-api.js';

/** What a caller registers; the fields of Java's Instance. */
export interface NamingInstance {
  instanceId?: string;
  ip: string;
  port: number;
  weight?: number;
  clusterName?: string;
  ephemeral?: boolean;
  enabled?: boolean;
  healthy?: boolean;
  metadata?: Record<string, string>;
}

/** An instance as Nacos lists it. */
export interface NacosHost {
  instanceId: string;
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  serviceName: string;
  metadata: Record<string, string>;
}

export interface ServiceRef {
  serviceName: string;
  groupName?: string;
  clusters?: string;
}

type HostsListener = (hosts: NacosHost[]) => void;

const INSTANCE_PATH = '/v1/ns/instance';
const RESOURCE_NOT_FOUND = 20404;
const DEFAULT_BEAT_MS = 5000;
const DEFAULT_GROUP = 'DEFAULT_GROUP';
const TIMEOUT_MS = 3000;

const grouped = (service: string, group: string) => `${group}@@${service}`;

export class NacosNamingClient {
  readonly api: NacosOpenApi;
  readonly #namespace: string;
  readonly #log: NacosClientLogger | undefined;
  readonly #beats = new Map<string, NodeJS.Timeout>();
  readonly #subs = new Map<string, { listeners: Set<HostsListener>; timer: NodeJS.Timeout; last: string }>();

  constructor(connection: NacosConnection, logger?: NacosClientLogger) {
    this.api = new NacosOpenApi(connection);
    this.#namespace = connection.namespace ? connection.namespace : 'public';
    this.#log = logger;
  }

  /** Nothing to wait for (connections open on first use); kept for callers of the npm client's shape. */
  async ready(): Promise<void> {}

  async registerInstance(
    serviceName: string,
    instance: NamingInstance,
    groupName = DEFAULT_GROUP,
  ): Promise<void> {
    await this.#call('POST', INSTANCE_PATH, {
      ...this.#identity(serviceName, groupName, instance),
      weight: String(instance.weight ?? 1),
      enabled: String(instance.enabled ?? true),
      healthy: String(instance.healthy ?? true),
      metadata: JSON.stringify(instance.metadata ?? {}),
    });
    if (instance.ephemeral ?? true) this.#scheduleBeat(serviceName, groupName, instance, DEFAULT_BEAT_MS);
  }

  async deregisterInstance(
    serviceName: string,
    instance: NamingInstance,
    groupName = DEFAULT_GROUP,
  ): Promise<void> {
    this.#stopBeat(serviceName, groupName, instance);
    await this.#call('DELETE', INSTANCE_PATH, this.#identity(serviceName, groupName, instance));
  }

  /** The server's current list; throws when Nacos cannot be asked (never answers [] for "unreachable"). */
  async getAllInstances(
    serviceName: string,
    groupName = DEFAULT_GROUP,
    clusters = '',
    _subscribe?: boolean,
  ): Promise<NacosHost[]> {
    return (await this.#list(serviceName, groupName, clusters)).hosts;
  }

  /** Polls the list at the period Nacos asks (`cacheMillis`) and tells `listener` of each change. */
  subscribe(ref: ServiceRef, listener: HostsListener): void {
    const key = this.#subKey(ref);
    let sub = this.#subs.get(key);
    if (!sub) {
      const s = {
        listeners: new Set<HostsListener>(),
        timer: undefined as unknown as NodeJS.Timeout,
        last: '',
      };
      const poll = async () => {
        let delay = 10_000;
        try {
          const r = await this.#list(ref.serviceName, ref.groupName ?? DEFAULT_GROUP, ref.clusters ?? '');
          delay = r.cacheMillis;
          const text = JSON.stringify(r.hosts);
          if (text !== s.last) {
            s.last = text;
            for (const l of [...s.listeners]) l(r.hosts);
          }
        } catch {
          /* unreachable: try again later, keep what listeners have */
        }
        if (this.#subs.get(key) === s) s.timer = setTimeout(() => void poll(), delay).unref();
      };
      s.timer = setTimeout(() => void poll(), 0).unref();
      this.#subs.set(key, s);
      sub = s;
    }
    sub.listeners.add(listener);
  }

  unSubscribe(ref: ServiceRef, listener: HostsListener): void {
    const key = this.#subKey(ref);
    const sub = this.#subs.get(key);
    if (!sub?.listeners.delete(listener) || sub.listeners.size > 0) return;
    clearTimeout(sub.timer);
    this.#subs.delete(key);
  }

  close(): Promise<void> {
    for (const t of this.#beats.values()) clearTimeout(t);
    for (const s of this.#subs.values()) clearTimeout(s.timer);
    this.#beats.clear();
    this.#subs.clear();
    this.api.close();
    return Promise.resolve();
  }

  #identity(serviceName: string, groupName: string, i: NamingInstance): Record<string, string> {
    return {
      serviceName: grouped(serviceName, groupName),
      groupName,
      namespaceId: this.#namespace,
      ip: i.ip,
      port: String(i.port),
      clusterName: i.clusterName ?? 'DEFAULT',
      ephemeral: String(i.ephemeral ?? true),
    };
  }

  #subKey(ref: ServiceRef): string {
    return `${grouped(ref.serviceName, ref.groupName ?? DEFAULT_GROUP)}#${ref.clusters ?? ''}`;
  }

  async #list(
    serviceName: string,
    groupName: string,
    clusters: string,
  ): Promise<{ hosts: NacosHost[]; cacheMillis: number }> {
    const body = await this.#call('GET', `${INSTANCE_PATH}/list`, {
      serviceName: grouped(serviceName, groupName),
      groupName,
      namespaceId: this.#namespace,
      clusters,
      healthyOnly: 'false',
    });
    const info = JSON.parse(body) as { hosts?: NacosHost[]; cacheMillis?: number };
    return { hosts: info.hosts ?? [], cacheMillis: Math.max(1000, info.cacheMillis ?? 10_000) };
  }

  #beatKey(serviceName: string, groupName: string, i: NamingInstance): string {
    return `${grouped(serviceName, groupName)}#${i.ip}:${i.port}`;
  }

  #stopBeat(serviceName: string, groupName: string, i: NamingInstance): void {
    const key = this.#beatKey(serviceName, groupName, i);
    clearTimeout(this.#beats.get(key));
    this.#beats.delete(key);
  }

  #scheduleBeat(serviceName: string, groupName: string, i: NamingInstance, delay: number): void {
    const key = this.#beatKey(serviceName, groupName, i);
    clearTimeout(this.#beats.get(key));
    const timer = setTimeout(() => void this.#beat(serviceName, groupName, i, key, timer), delay).unref();
    this.#beats.set(key, timer);
  }

  async #beat(
    serviceName: string,
    groupName: string,
    i: NamingInstance,
    key: string,
    timer: NodeJS.Timeout,
  ): Promise<void> {
    let next = DEFAULT_BEAT_MS;
    try {
      const beat = {
        serviceName: grouped(serviceName, groupName),
        ip: i.ip,
        port: i.port,
        cluster: i.clusterName ?? 'DEFAULT',
        weight: i.weight ?? 1,
        metadata: i.metadata ?? {},
      };
      const body = await this.#call('PUT', `${INSTANCE_PATH}/beat`, {
        ...this.#identity(serviceName, groupName, i),
        beat: JSON.stringify(beat),
      });
      const r = JSON.parse(body) as { clientBeatInterval?: number; code?: number };
      if (r.clientBeatInterval && r.clientBeatInterval > 0) next = r.clientBeatInterval;
      // The server forgot us (restarted, or expired the instance): register again, as Java's BeatTask does.
      if (r.code === RESOURCE_NOT_FOUND && this.#beats.get(key) === timer) {
        await this.registerInstance(serviceName, i, groupName);
        return;
      }
    } catch (err) {
      this.#log?.warn({ err, service: serviceName }, 'Nacos heartbeat failed; the next one retries');
    }
    // Deregistered or closed meanwhile: the timer in the map is no longer ours.
    if (this.#beats.get(key) === timer) this.#scheduleBeat(serviceName, groupName, i, next);
  }

  async #call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    params: Record<string, string>,
  ): Promise<string> {
    const res = await this.api.call(method, path, params, { timeoutMs: TIMEOUT_MS });
    if (res.status !== 200)
      throw new Error(`Nacos ${method} ${path} answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    return res.body;
  }
}

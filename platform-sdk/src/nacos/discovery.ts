/**
 * Discovery: the instances of a service, kept current by a Nacos subscription and served
 * from a local cache, so a lookup on the request path never waits on Nacos. Each update is
 * also written to a disk snapshot; a service that starts while Nacos is down reads its peers
 * from there (the Java client's failover directory does the same), and keeps its last known
 * instances while Nacos is away.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import type { Component } from '../core/index.js';
import { createNamingClient, namespaceId, type NacosClientLogger, type NacosConnection } from './client.js';
import { DEFAULT_GROUP } from './instance.js';
import type { NacosHost as Host, NacosNamingClient } from './naming-client.js';
import {
  candidates,
  loadBalancers,
  type LoadBalancer,
  type LoadBalancerName,
  type ServiceInstance,
} from './load-balancer.js';

export interface NacosDiscoveryOptions {
  connection: NacosConnection;
  /** The caller's own cluster, preferred when choosing. */
  clusterName?: string;
  healthyOnly?: boolean;
  loadBalancer?: LoadBalancerName;
  /** Where snapshots go; default ~/.silk/nacos/naming/<namespace>. */
  snapshotDir?: string;
  /** How long a first lookup waits for Nacos before using the snapshot. */
  lookupTimeoutMs?: number;
  /** Poll period beside the subscription; default 5 s. */
  refreshIntervalMs?: number;
  logger?: NacosClientLogger;
}

interface Entry {
  instances: ServiceInstance[];
  /** The instances `choose` may pick (healthy, enabled, same cluster first), kept with the list. */
  usable: ServiceInstance[];
  balancer: LoadBalancer;
  listener: (hosts: Host[]) => void;
  timer: NodeJS.Timeout;
}

function toInstance(h: Host, serviceName: string): ServiceInstance {
  return {
    instanceId: h.instanceId,
    serviceName,
    ip: h.ip,
    port: h.port,
    weight: h.weight,
    healthy: h.healthy,
    enabled: h.enabled,
    clusterName: h.clusterName,
    metadata: h.metadata ?? {},
  };
}

/**
 * Whether any Nacos server accepts connections: an empty list is believed only when this
 * holds (the `nacos` npm client, used before, answered [] in some outage paths; the check stays
 * as a cheap guard against wiping the cache on a half-failed answer).
 */
function reachable(serverAddr: string, timeoutMs = 1000): Promise<boolean> {
  const probes = serverAddr.split(',').map((addr) => {
    const [host = '127.0.0.1', port = '8848'] = addr
      .trim()
      .replace(/^https?:\/\//, '')
      .split(':');
    return new Promise<boolean>((resolve) => {
      const socket = connect({ host, port: Number(port) });
      const done = (ok: boolean) => (socket.destroy(), resolve(ok));
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  });
  return Promise.all(probes).then((r) => r.some(Boolean));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer from Nacos in ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

export class NacosDiscovery implements Component {
  readonly name = 'nacos-discovery';
  private client: NacosNamingClient | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly snapshotDir: string;

  constructor(private readonly opts: NacosDiscoveryOptions) {
    this.snapshotDir =
      opts.snapshotDir ?? join(homedir(), '.silk', 'nacos', 'naming', namespaceId(opts.connection.namespace));
  }

  start(): void {
    // The client connects lazily; a service must start even while Nacos is down.
    this.client ??= createNamingClient(this.opts.connection, this.opts.logger);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    for (const [key, e] of this.entries) {
      const [groupName, serviceName] = key.split('@@') as [string, string];
      clearInterval(e.timer);
      client.unSubscribe({ serviceName, groupName }, e.listener);
    }
    this.entries.clear();
    await client.close();
  }

  /** Every known instance of a service (healthy or not), from the cache once subscribed. */
  async getInstances(serviceName: string, groupName = DEFAULT_GROUP): Promise<ServiceInstance[]> {
    return (await this.entry(serviceName, groupName)).instances;
  }

  /** One instance to call, or undefined when none is usable. */
  async choose(serviceName: string, groupName = DEFAULT_GROUP): Promise<ServiceInstance | undefined> {
    const e = await this.entry(serviceName, groupName);
    return e.balancer.choose(e.usable);
  }

  private entry(serviceName: string, groupName: string): Promise<Entry> {
    const key = `${groupName}@@${serviceName}`;
    const cached = this.entries.get(key);
    if (cached) return Promise.resolve(cached);
    let p = this.pending.get(key);
    if (!p) {
      p = this.subscribe(serviceName, groupName, key).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async subscribe(serviceName: string, groupName: string, key: string): Promise<Entry> {
    this.start();
    const client = this.client!;
    const entry: Entry = {
      timer: setInterval(() => {
        // The client's subscription polls at the server's cacheMillis (10 s); this timer
        // asks more often, so a change is seen within refreshIntervalMs.
        client.getAllInstances(serviceName, groupName, '', false).then(
          (hosts) => entry.listener(hosts),
          () => undefined,
        );
      }, this.opts.refreshIntervalMs ?? 5000),
      instances: [],
      usable: [],
      balancer: loadBalancers[this.opts.loadBalancer ?? 'random'](),
      listener: (hosts) => {
        // The client's reactor also hands out [] when it merely failed to reach Nacos, so an
        // empty list is believed only once the server itself confirms it.
        if (hosts.length === 0 && entry.instances.length > 0) {
          void this.confirmEmpty(client, entry, key, serviceName, groupName);
          return;
        }
        this.apply(entry, key, hosts, serviceName);
      },
    };
    try {
      // Asked directly (not through the client's reactor, which answers [] when Nacos is
      // unreachable) so an outage shows as an error and the snapshot is used, not overwritten.
      if (!(await reachable(this.opts.connection.serverAddr))) throw new Error('Nacos unreachable');
      await withTimeout(client.ready(), this.opts.lookupTimeoutMs ?? 3000);
      const hosts = await withTimeout(
        client.getAllInstances(serviceName, groupName, '', true),
        this.opts.lookupTimeoutMs ?? 3000,
      );
      this.setInstances(entry, hosts.map((h) => toInstance(h, serviceName)));
      this.writeSnapshot(key, entry.instances);
    } catch {
      this.setInstances(entry, this.readSnapshot(key));
    }
    entry.timer.unref();
    client.subscribe({ serviceName, groupName }, entry.listener);
    this.entries.set(key, entry);
    return entry;
  }

  private async confirmEmpty(
    client: NacosNamingClient,
    entry: Entry,
    key: string,
    serviceName: string,
    groupName: string,
  ): Promise<void> {
    try {
      if (!(await reachable(this.opts.connection.serverAddr))) return;
      const confirmed = await client.getAllInstances(serviceName, groupName, '', false);
      if (confirmed.length === 0) this.apply(entry, key, confirmed, serviceName);
    } catch {
      /* still unreachable: keep what we know */
    }
  }

  private apply(entry: Entry, key: string, hosts: Host[], serviceName: string): void {
    const next = hosts.map((h) => toInstance(h, serviceName));
    if (JSON.stringify(next) === JSON.stringify(entry.instances)) return;
    this.setInstances(entry, next);
    this.writeSnapshot(key, next);
  }

  // Filtering happens when the list changes, not on every call: `choose` only balances.
  private setInstances(entry: Entry, instances: ServiceInstance[]): void {
    entry.instances = instances;
    entry.usable = candidates(instances, {
      healthyOnly: this.opts.healthyOnly ?? true,
      ...(this.opts.clusterName ? { clusterName: this.opts.clusterName } : {}),
    });
  }

  private snapshotFile(key: string): string {
    return join(this.snapshotDir, `${encodeURIComponent(key)}.json`);
  }

  private writeSnapshot(key: string, instances: ServiceInstance[]): void {
    try {
      mkdirSync(this.snapshotDir, { recursive: true });
      const tmp = `${this.snapshotFile(key)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(instances));
      // Rename is atomic: a crash mid-write never leaves a torn snapshot behind.
      renameSync(tmp, this.snapshotFile(key));
    } catch {
      /* a read-only disk costs us the snapshot, not the lookup */
    }
  }

  private readSnapshot(key: string): ServiceInstance[] {
    try {
      return JSON.parse(readFileSync(this.snapshotFile(key), 'utf8')) as ServiceInstance[];
    } catch {
      return [];
    }
  }
}

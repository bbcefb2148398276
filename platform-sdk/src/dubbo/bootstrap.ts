/**
 * The two lifecycle components a service uses: DubboProvider (listen, export, register in
 * Nacos; on stop deregister first, then drain) and DubboConsumer (shared connections,
 * references by interface; on stop wait for calls in flight).
 */
import type { Sentinel } from '../sentinel/index.js';
import type { Component } from '../core/index.js';
import type { ChannelLogger } from './channel.js';
import type { ClusterName } from './cluster.js';
import { ExchangeClient, type ExchangeClientOptions } from './exchange-client.js';
import { ExchangeServer, type ExchangeServerOptions, type MethodHandler } from './exchange-server.js';
import type { LoadBalanceName } from './load-balance.js';
import type { DubboNacosRegistry } from './nacos-registry.js';
import type { ProviderDiscovery } from './provider-discovery.js';
import { DubboReference } from './reference.js';
import { buildMetadataInfo, metadataServiceDefinition } from './app-registration.js';
import type { DubboServiceDefinition } from './service-definition.js';

export interface DubboProviderOptions extends ExchangeServerOptions {
  /** Where to register exported services; none for a provider reached by direct URL. */
  registry?: DubboNacosRegistry;
  /** How long stop() waits for requests in flight. Default 10 s. */
  drainMs?: number;
}

export class DubboProvider implements Component {
  readonly name = 'dubbo-provider';
  readonly server: ExchangeServer;
  private readonly exported: { def: DubboServiceDefinition; weight: number }[] = [];

  constructor(private readonly opts: DubboProviderOptions = {}) {
    this.server = new ExchangeServer(opts);
  }

  export(def: DubboServiceDefinition, handlers: Record<string, MethodHandler>, weight = 100): this {
    this.server.export(def, handlers);
    this.exported.push({ def, weight });
    return this;
  }

  get port(): number {
    return this.server.port;
  }

  async start(): Promise<void> {
    const port = await this.server.start();
    const reg = this.opts.registry;
    if (!reg) return;
    if (reg.interfaceLevel) for (const e of this.exported) await reg.register(e.def, port, e.weight);
    if (reg.applicationLevel) {
      const defs = this.exported.map((e) => e.def);
      const metadata = buildMetadataInfo(reg.application, defs, port);
      this.server.export(metadataServiceDefinition(reg.application), {
        getMetadataInfo: () => metadata.value,
      });
      await reg.registerApplication(defs, port, metadata);
    }
  }

  async stop(): Promise<void> {
    await this.opts.registry?.stop();
    await this.server.stop(this.opts.drainMs ?? 10_000);
  }
}

export interface DubboConsumerOptions extends ExchangeClientOptions {
  discovery: ProviderDiscovery;
  application?: string;
  timeout?: number;
  retries?: number;
  loadbalance?: LoadBalanceName;
  cluster?: ClusterName;
  drainMs?: number;
  logger?: ChannelLogger;
  /** Guard every reference's calls with Sentinel (interface and method resources, OUT). */
  sentinel?: Sentinel;
}

export type ReferenceConfig = Partial<
  Pick<DubboConsumerOptions, 'timeout' | 'retries' | 'loadbalance' | 'cluster' | 'discovery'>
>;

export class DubboConsumer implements Component {
  readonly name = 'dubbo-consumer';
  readonly client: ExchangeClient;

  constructor(private readonly opts: DubboConsumerOptions) {
    this.client = new ExchangeClient(opts);
  }

  reference(def: DubboServiceDefinition, config: ReferenceConfig = {}): DubboReference {
    const o = { ...this.opts, ...config };
    return new DubboReference(def, {
      client: this.client,
      discovery: o.discovery,
      ...(o.application !== undefined ? { application: o.application } : {}),
      ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
      ...(o.retries !== undefined ? { retries: o.retries } : {}),
      ...(o.loadbalance !== undefined ? { loadbalance: o.loadbalance } : {}),
      ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
      ...(o.sentinel !== undefined ? { sentinel: o.sentinel } : {}),
      onSwallowed: (e) => this.opts.logger?.warn({ error: (e as Error).message }, 'failsafe call failed'),
    });
  }

  start(): void {}

  async stop(): Promise<void> {
    await this.client.close(this.opts.drainMs ?? 10_000);
  }
}

/**
 * Dubbo in Nacos, as Java Dubbo 3 (dubbo-registry-nacos, NacosRegistry) does it at the
 * interface level, the level a Dubbo 3 consumer with the default `migration` step
 * (APPLICATION_FIRST) falls back to when it finds no application-level instances:
 *   - service `providers:<interface>:<version>:<group>` (empty parts stay empty), Nacos
 *     group DEFAULT_GROUP;
 *   - instance ip:port = the dubbo listen address, metadata = the provider URL's parameters
 *     plus `category`, `protocol` and `path` (NacosRegistry.createInstance).
 * Discovery reads the same names back, for Java and Silk providers alike. Only the nacos
 * capability's public index is used.
 */
import type { Component } from '../core/index.js';
import {
  createNamingClient,
  DEFAULT_GROUP,
  findFirstNonLoopbackAddress,
  type NacosConnection,
  type NacosDiscovery,
} from '../nacos/index.js';
import { DUBBO_RELEASE, DUBBO_VERSION } from './constants.js';
import type { ProviderAddress } from './load-balance.js';
import type { ProviderDiscovery, ServiceCoordinates } from './provider-discovery.js';
import type { DubboServiceDefinition } from './service-definition.js';
import { DubboAppRegistration, type MetadataInfo } from './app-registration.js';

/**
 * Retries a Nacos write that failed, as Dubbo's FailbackRegistry retries a failed
 * registration: a busy or briefly unreachable Nacos must not fail a provider's start.
 */
export async function withRetries<T>(
  what: string,
  fn: () => Promise<T>,
  attempts = 5,
  delayMs = 1000,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts)
        throw new Error(`${what} failed ${attempts} times; is Nacos up and are the credentials right?`, {
          cause: e,
        });
      await new Promise((r) => setTimeout(r, delayMs * i));
    }
  }
}

/** NacosRegistry.getServiceName: category:interface:version:group. */
export function nacosServiceName(s: ServiceCoordinates, category = 'providers'): string {
  return `${category}:${s.interface}:${s.version ?? ''}:${s.group ?? ''}`;
}

export interface ProviderUrlOptions {
  application: string;
  port: number;
  timestamp: number;
  /** Whether the interface→application mapping is registered too (register-mode instance/all). */
  mapped: boolean;
}

/**
 * The instance metadata a Java Dubbo 3.3.5 provider registers (read back from Nacos: the
 * provider URL's parameters after Dubbo drops address-level ones such as anyhost, pid, bind.*).
 */
export function providerMetadata(def: DubboServiceDefinition, o: ProviderUrlOptions): Record<string, string> {
  const md: Record<string, string> = {
    side: 'provider',
    release: DUBBO_RELEASE,
    methods: Object.keys(def.methods).sort().join(','),
    deprecated: 'false',
    dubbo: DUBBO_VERSION,
    interface: def.interface,
    version: def.version ?? '',
    generic: 'false',
    path: def.interface,
    protocol: 'dubbo',
    application: o.application,
    // Only hessian2: a consumer that prefers fastjson2 must not pick it for us.
    'prefer.serialization': 'hessian2',
    dynamic: 'true',
    category: 'providers',
    timestamp: String(o.timestamp),
  };
  if (o.mapped) md['service-name-mapping'] = 'true';
  if (def.group) md.group = def.group;
  return md;
}

export interface DubboNacosRegistryOptions {
  connection: NacosConnection;
  application: string;
  /** Nacos group of the registry URL; default DEFAULT_GROUP. */
  group?: string;
  /** Address to register; default the first non-loopback IPv4 address, as Java picks. */
  ip?: string;
  /**
   * Dubbo's `register-mode`: `interface` (providers:<interface>:... names), `instance`
   * (application-level, app-registration.ts) or `all`, the default, as in Dubbo 3.
   */
  registerMode?: 'interface' | 'instance' | 'all';
  now?: () => number;
}

type NamingClient = ReturnType<typeof createNamingClient>;

interface Registered {
  serviceName: string;
  instance: {
    ip: string;
    port: number;
    weight: number;
    clusterName: string;
    ephemeral: boolean;
    enabled: boolean;
    healthy: boolean;
    metadata: Record<string, string>;
    instanceId: string;
  };
}

export class DubboNacosRegistry implements Component {
  readonly name = 'dubbo-nacos-registry';
  private client: NamingClient | undefined;
  private readonly registered: Registered[] = [];
  private readonly ip: string;
  private app: DubboAppRegistration | undefined;

  constructor(private readonly opts: DubboNacosRegistryOptions) {
    this.ip = opts.ip ?? findFirstNonLoopbackAddress();
  }

  get application(): string {
    return this.opts.application;
  }

  get interfaceLevel(): boolean {
    return (this.opts.registerMode ?? 'all') !== 'instance';
  }

  get applicationLevel(): boolean {
    return (this.opts.registerMode ?? 'all') !== 'interface';
  }

  /** Registers the application instance and interface mappings (application-level discovery). */
  async registerApplication(
    services: readonly DubboServiceDefinition[],
    port: number,
    metadata: MetadataInfo,
  ): Promise<void> {
    this.app ??= new DubboAppRegistration({
      connection: this.opts.connection,
      application: this.opts.application,
      ip: this.ip,
      ...(this.opts.group !== undefined ? { group: this.opts.group } : {}),
      ...(this.opts.now !== undefined ? { now: this.opts.now } : {}),
    });
    await this.app.register(services, port, metadata);
  }

  get address(): string {
    return this.ip;
  }

  start(): void {
    this.client ??= createNamingClient(this.opts.connection);
  }

  /** Registers one exported service at `port` (call after the provider listens). */
  async register(def: DubboServiceDefinition, port: number, weight = 100): Promise<void> {
    this.start();
    const client = this.client!;
    await client.ready();
    const serviceName = nacosServiceName(def);
    const metadata = providerMetadata(def, {
      application: this.opts.application,
      port,
      timestamp: (this.opts.now ?? Date.now)(),
      mapped: this.applicationLevel,
    });
    // Java registers weight through the URL's `weight` parameter (default 100); Nacos keeps 1.
    if (weight !== 100) metadata.weight = String(weight);
    const instance = {
      instanceId: '',
      ip: this.ip,
      port,
      weight: 1,
      clusterName: 'DEFAULT',
      ephemeral: true,
      enabled: true,
      healthy: true,
      metadata,
    };
    await withRetries(`registering ${serviceName} in Nacos`, () =>
      client.registerInstance(serviceName, instance, this.opts.group ?? DEFAULT_GROUP),
    );
    this.registered.push({ serviceName, instance });
  }

  /** Deregisters everything first, so consumers stop choosing us before we stop serving. */
  async stop(): Promise<void> {
    await this.app?.stop();
    this.app = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      for (const r of this.registered.splice(0))
        await client
          .deregisterInstance(r.serviceName, r.instance, this.opts.group ?? DEFAULT_GROUP)
          .catch(() => undefined);
    } finally {
      await (client as unknown as { close(): Promise<void> }).close();
    }
  }
}

/** Providers of a Dubbo service from Nacos' interface-level names, through NacosDiscovery's cache. */
export class NacosProviderDiscovery implements ProviderDiscovery {
  constructor(
    private readonly discovery: NacosDiscovery,
    private readonly group = DEFAULT_GROUP,
  ) {}

  async providers(s: ServiceCoordinates): Promise<ProviderAddress[]> {
    const instances = await this.discovery.getInstances(nacosServiceName(s), this.group);
    return instances
      .filter((i) => i.enabled && i.healthy && (i.metadata.protocol ?? 'dubbo') === 'dubbo')
      .map((i) => ({
        address: `${i.ip}:${i.port}`,
        weight: Number(i.metadata.weight ?? 100) || 100,
        metadata: i.metadata,
      }));
  }
}

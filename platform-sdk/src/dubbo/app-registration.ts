/**
 * Application-level registration, the Dubbo 3 service discovery model. A Java consumer with
 * the default migration step (APPLICATION_FIRST) and the default threshold 0 switches to the
 * application-level provider list as soon as it holds any instance for the interface
 * (DefaultMigrationAddressComparator) — so in an estate where Java providers of the same
 * interface register both levels, a Silk provider registered at the interface level only
 * would never be called. This registers what that consumer reads, as Java Dubbo 3.3 does:
 *   1. the interface → application mapping: Nacos config dataId `<interface>`, group
 *      `mapping`, content the comma-separated application names (MetadataServiceNameMapping);
 *   2. an instance of service `<application>` at the dubbo address with metadata
 *      `dubbo.metadata.revision`, `dubbo.metadata.storage-type=local`,
 *      `dubbo.metadata-service.url-params` (ServiceInstanceMetadataUtils);
 *   3. the MetadataService (`org.apache.dubbo.metadata.MetadataService:1.0.0`, group =
 *      application) on the dubbo port, whose getMetadataInfo(revision) answers the
 *      exported services; the revision is computed as MetadataInfo.calAndGetRevision does.
 */
import { createHash } from 'node:crypto';
import type { Component } from '../core/index.js';
import {
  createNamingClient,
  DEFAULT_GROUP,
  NacosConfigRepository,
  type NacosConnection,
} from '../nacos/index.js';
import { DUBBO_RELEASE, DUBBO_VERSION } from './constants.js';
import { providerMetadata, withRetries } from './nacos-registry.js';
import { javaObject, type JavaObject } from './java-values.js';
import type { DubboServiceDefinition } from './service-definition.js';

export const METADATA_SERVICE = 'org.apache.dubbo.metadata.MetadataService';
const METADATA_INFO = 'org.apache.dubbo.metadata.MetadataInfo';
const SERVICE_INFO = 'org.apache.dubbo.metadata.MetadataInfo$ServiceInfo';
export const MAPPING_GROUP = 'mapping';

export function metadataServiceDefinition(application: string): DubboServiceDefinition {
  return {
    interface: METADATA_SERVICE,
    version: '1.0.0',
    group: application,
    methods: { getMetadataInfo: { parameterTypes: ['java.lang.String'], returnType: METADATA_INFO } },
  };
}

/**
 * The parameters Java keeps per exported service in MetadataInfo: the registered provider
 * parameters less those the service info already holds or that change per start.
 */
function serviceParams(def: DubboServiceDefinition, application: string): Record<string, string> {
  const {
    path: _path,
    protocol: _protocol,
    category: _category,
    timestamp: _timestamp,
    ...params
  } = providerMetadata(def, {
    application,
    port: 0,
    timestamp: 0,
    mapped: true,
  });
  return params;
}

/** Java's TreeMap.toString: keys in String order, `{k=v, k2=v2}`. */
function javaMapString(m: Record<string, string>): string {
  const keys = Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${k}=${m[k]}`).join(', ')}}`;
}

/** MetadataInfo.calAndGetRevision: MD5 of the app name and each service's description in key order. */
export function metadataRevision(
  application: string,
  services: readonly { matchKey: string; port: number; name: string; params: Record<string, string> }[],
): string {
  const sorted = [...services].sort((a, b) =>
    a.matchKey < b.matchKey ? -1 : a.matchKey > b.matchKey ? 1 : 0,
  );
  const desc =
    application + sorted.map((s) => s.matchKey + String(s.port) + s.name + javaMapString(s.params)).join('');
  return createHash('md5').update(desc).digest('hex');
}

interface ServiceInfo {
  matchKey: string;
  name: string;
  group: string | null;
  version: string;
  port: number;
  params: Record<string, string>;
}

export interface MetadataInfo {
  revision: string;
  /** The MetadataInfo object as Java deserializes it. */
  value: JavaObject;
}

export function buildMetadataInfo(
  application: string,
  services: readonly DubboServiceDefinition[],
  port: number,
): MetadataInfo {
  const infos: ServiceInfo[] = services.map((def) => {
    const serviceKey = `${def.group ? `${def.group}/` : ''}${def.interface}${def.version ? `:${def.version}` : ''}`;
    return {
      matchKey: `${serviceKey}:dubbo`,
      name: def.interface,
      group: def.group ?? null,
      version: def.version ?? '',
      port,
      params: serviceParams(def, application),
    };
  });
  const revision = metadataRevision(application, infos);
  const map = new Map<string, JavaObject>();
  for (const s of infos)
    map.set(
      s.matchKey,
      javaObject(SERVICE_INFO, {
        name: s.name,
        group: s.group,
        version: s.version,
        protocol: 'dubbo',
        port: s.port,
        path: s.name,
        params: new Map(Object.entries(s.params)),
      }),
    );
  return { revision, value: javaObject(METADATA_INFO, { app: application, revision, services: map }) };
}

export interface AppRegistrationOptions {
  connection: NacosConnection;
  application: string;
  ip: string;
  group?: string;
  now?: () => number;
}

/** Registers the application instance and the interface mappings (call after the provider listens). */
export class DubboAppRegistration implements Component {
  readonly name = 'dubbo-app-registration';
  private naming: ReturnType<typeof createNamingClient> | undefined;
  private config: NacosConfigRepository | undefined;
  private instance: Parameters<ReturnType<typeof createNamingClient>['registerInstance']>[1] | undefined;

  constructor(private readonly opts: AppRegistrationOptions) {}

  start(): void {}

  async register(
    services: readonly DubboServiceDefinition[],
    port: number,
    metadata: MetadataInfo,
  ): Promise<void> {
    const { application, connection } = this.opts;
    this.config ??= new NacosConfigRepository({ connection });
    for (const def of services) await this.map(def.interface, application);
    this.naming ??= createNamingClient(connection);
    await this.naming.ready();
    const urlParams = {
      'prefer.serialization': 'hessian2',
      version: '1.0.0',
      dubbo: DUBBO_VERSION,
      release: DUBBO_RELEASE,
      side: 'provider',
      port: String(port),
      protocol: 'dubbo',
    };
    this.instance = {
      instanceId: '',
      ip: this.opts.ip,
      port,
      weight: 1,
      clusterName: 'DEFAULT',
      ephemeral: true,
      enabled: true,
      healthy: true,
      metadata: {
        'dubbo.metadata-service.url-params': JSON.stringify(urlParams),
        'dubbo.metadata.revision': metadata.revision,
        'dubbo.metadata.storage-type': 'local',
        'meta-v': '1.0.0',
        timestamp: String((this.opts.now ?? Date.now)()),
      },
    };
    const naming = this.naming;
    const instance = this.instance;
    await withRetries(`registering application ${application} in Nacos`, () =>
      naming.registerInstance(application, instance, this.opts.group ?? DEFAULT_GROUP),
    );
  }

  /** Adds `application` to the interface's mapping, keeping the applications already there. */
  private async map(iface: string, application: string): Promise<void> {
    const current = ((await this.config!.client.getConfig(iface, MAPPING_GROUP, {})) as string | null) ?? '';
    const apps = current.split(',').filter(Boolean);
    if (apps.includes(application)) return;
    await withRetries(`publishing the mapping of ${iface}`, () =>
      this.config!.client.publishSingle(iface, MAPPING_GROUP, [...apps, application].join(',')),
    );
  }

  async stop(): Promise<void> {
    const naming = this.naming;
    this.naming = undefined;
    try {
      if (naming && this.instance)
        await naming
          .deregisterInstance(this.opts.application, this.instance, this.opts.group ?? DEFAULT_GROUP)
          .catch(() => undefined);
    } finally {
      if (naming) await (naming as unknown as { close(): Promise<void> }).close();
      this.config?.close();
      this.config = undefined;
    }
  }
}

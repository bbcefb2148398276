/**
 * The instance a Silk service registers, built field for field as Spring Cloud Alibaba's
 * NacosDiscoveryProperties + NacosRegistration build it for a Java app, so Java consumers,
 * Spring Boot Admin and the Nacos console see nothing different:
 *   - service = spring.application.name, group DEFAULT_GROUP, cluster DEFAULT, weight 1,
 *     ephemeral, enabled;
 *   - metadata `preserved.register.source=SPRING_CLOUD` always; `secure=true` when secure;
 *     the management keys only when a management port or base path is configured; the
 *     preserved heartbeat keys only when set.
 */
import { findFirstNonLoopbackAddress, type InetOptions } from './inet.js';

export const DEFAULT_GROUP = 'DEFAULT_GROUP';
export const DEFAULT_CLUSTER = 'DEFAULT';

/** Nacos' PreservedMetadataKeys, and the keys NacosRegistration adds. */
export const METADATA = {
  registerSource: 'preserved.register.source',
  heartBeatInterval: 'preserved.heart.beat.interval',
  heartBeatTimeout: 'preserved.heart.beat.timeout',
  ipDeleteTimeout: 'preserved.ip.delete.timeout',
  secure: 'secure',
  managementPort: 'management.port',
  managementContextPath: 'management.context-path',
  managementAddress: 'management.address',
  managementBasePath: 'management.endpoints.web.base-path',
} as const;

export interface RegistrationOptions {
  /** The application name; Spring's `spring.application.name`. */
  service: string;
  port: number;
  group?: string;
  clusterName?: string;
  ip?: string;
  weight?: number;
  ephemeral?: boolean;
  enabled?: boolean;
  secure?: boolean;
  metadata?: Record<string, string>;
  /** ms; written to metadata only when set, as the Java starter does. */
  heartBeatInterval?: number;
  heartBeatTimeout?: number;
  ipDeleteTimeout?: number;
  management?: { port?: number; contextPath?: string; address?: string; basePath?: string };
  inet?: InetOptions;
}

export interface NacosInstance {
  serviceName: string;
  groupName: string;
  ip: string;
  port: number;
  weight: number;
  clusterName: string;
  ephemeral: boolean;
  enabled: boolean;
  healthy: boolean;
  metadata: Record<string, string>;
}

export function buildInstance(o: RegistrationOptions): NacosInstance {
  if (!o.service) throw new Error('registration needs a service name (spring.application.name)');
  if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) throw new Error(`invalid port ${o.port}`);
  const weight = o.weight ?? 1;
  // Nacos refuses weights outside [0.01, 10000] (its MIN/MAX_WEIGHT_VALUE); say so before it does.
  if (!(weight >= 0.01 && weight <= 10000))
    throw new Error(`weight ${weight} is outside Nacos' range 0.01..10000`);
  const metadata: Record<string, string> = { ...o.metadata, [METADATA.registerSource]: 'SPRING_CLOUD' };
  if (o.secure) metadata[METADATA.secure] = 'true';
  const m = o.management;
  if (m?.basePath) metadata[METADATA.managementBasePath] = m.basePath;
  if (m?.port !== undefined && m.port !== o.port) {
    metadata[METADATA.managementPort] = String(m.port);
    if (m.contextPath) metadata[METADATA.managementContextPath] = m.contextPath;
    if (m.address) metadata[METADATA.managementAddress] = m.address;
  }
  if (o.heartBeatInterval !== undefined) metadata[METADATA.heartBeatInterval] = String(o.heartBeatInterval);
  if (o.heartBeatTimeout !== undefined) metadata[METADATA.heartBeatTimeout] = String(o.heartBeatTimeout);
  if (o.ipDeleteTimeout !== undefined) metadata[METADATA.ipDeleteTimeout] = String(o.ipDeleteTimeout);
  return {
    serviceName: o.service,
    groupName: o.group ?? DEFAULT_GROUP,
    ip: o.ip ?? findFirstNonLoopbackAddress(o.inet),
    port: o.port,
    weight,
    clusterName: o.clusterName ?? DEFAULT_CLUSTER,
    ephemeral: o.ephemeral ?? true,
    enabled: o.enabled ?? true,
    healthy: true,
    metadata,
  };
}

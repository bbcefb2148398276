/**
 * Bootstrap configuration: what a service must know before it can reach Nacos — the same
 * keys a Spring Cloud Alibaba app keeps in its local `bootstrap.yml`/`application.yml`
 * (`server.port`, `spring.profiles.active`, `spring.cloud.nacos.{server-addr,username,
 * password,namespace}`, `spring.cloud.nacos.discovery.*`, `spring.cloud.nacos.config.*`),
 * read from `bootstrap.yaml` in the working directory, overridden by the environment with
 * Spring's names (`SPRING_CLOUD_NACOS_SERVER_ADDR`) or the Nacos image's (`NACOS_SERVER_ADDR`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyEnvOverrides,
  parseConfig,
  unflatten,
  type ConfigEntryRef,
  type NacosConfigOptions,
} from '../config/index.js';
import type { NacosConnection, RegistrationOptions } from '../nacos/index.js';

export interface BootstrapConfig {
  port: number;
  host: string;
  logLevel: string;
  profiles: string[];
  /** How long stop waits for in-flight requests before cutting connections. */
  drainTimeoutMs?: number;
  /**
   * How long the server keeps accepting after deregistering, for callers whose instance
   * lists (Nacos' own list cache, Spring Cloud LoadBalancer's 35 s cache) still name us.
   */
  deregisterGraceMs?: number;
  nacos: NacosConnection;
  config: Omit<NacosConfigOptions, 'name' | 'profiles'>;
  discovery: Omit<RegistrationOptions, 'service' | 'port'>;
  sentinel: SentinelBootstrap;
  /** The bootstrap file's own properties, beneath everything from Nacos. */
  defaults: Record<string, unknown>;
}

/** `spring.cloud.sentinel.*`, as spring-cloud-alibaba-sentinel reads it. */
export interface SentinelBootstrap {
  /** The app the dashboard lists this machine under: spring.application.name, as in Java. */
  appName: string;
  /** `enabled`; default true. */
  enabled: boolean;
  httpMethodSpecify?: boolean;
  webContextUnify?: boolean;
  /** `silk.sentinel.origin-header`: the header naming the caller (Java: a RequestOriginParser bean). */
  originHeader?: string;
  /** `block-page`: where a blocked web request is redirected. */
  blockPage?: string;
  /** `silk.sentinel.block-status` / `block-body`: the reply to a blocked request otherwise. */
  blockStatus?: number;
  blockBody?: string;
  /** `transport.{dashboard,port,client-ip,heartbeat-interval-ms}`. */
  transport: { dashboard?: string; port?: number; clientIp?: string; heartbeatIntervalMs?: number };
  /** `datasource.<name>.nacos` / `.file` entries. */
  datasources: SentinelDataSourceConfig[];
}

export interface SentinelDataSourceConfig {
  name: string;
  ruleType: string;
  nacos?: {
    dataId: string;
    groupId?: string;
    serverAddr?: string;
    namespace?: string;
    username?: string;
    password?: string;
  };
  file?: { file: string };
}

type Tree = Record<string, unknown>;

function at(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const k of path.split('.')) node = node && typeof node === 'object' ? (node as Tree)[k] : undefined;
  return node;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const num = (v: unknown): number | undefined => (str(v) === undefined ? undefined : Number(str(v)));
const bool = (v: unknown): boolean | undefined => (str(v) === undefined ? undefined : str(v) === 'true');

function refs(v: unknown): ConfigEntryRef[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((e: Tree) => ({
    dataId: str(e['data-id'] ?? e.dataId) ?? '',
    ...(str(e.group) ? { group: str(e.group)! } : {}),
    ...(bool(e.refresh) !== undefined ? { refresh: bool(e.refresh)! } : {}),
  }));
}

function defined<O extends object>(o: O): O {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as O;
}

function sentinelBootstrap(name: string, t: Tree): SentinelBootstrap {
  const s = (k: string) => at(t, `spring.cloud.sentinel.${k}`);
  const datasources: SentinelDataSourceConfig[] = [];
  const ds = s('datasource');
  for (const [name, entry] of Object.entries(ds && typeof ds === 'object' ? (ds as Tree) : {})) {
    const e = entry as Tree;
    const n = e.nacos as Tree | undefined;
    const f = e.file as Tree | undefined;
    const ruleType = str(n?.['rule-type'] ?? n?.ruleType ?? f?.['rule-type'] ?? f?.ruleType) ?? '';
    datasources.push(
      defined({
        name,
        ruleType,
        nacos: n
          ? defined({
              dataId: str(n['data-id'] ?? n.dataId) ?? '',
              groupId: str(n['group-id'] ?? n.groupId),
              serverAddr: str(n['server-addr'] ?? n.serverAddr),
              namespace: str(n.namespace),
              username: str(n.username),
              password: str(n.password),
            })
          : undefined,
        file: f ? { file: str(f.file) ?? '' } : undefined,
      }),
    );
  }
  return defined({
    appName: name,
    enabled: bool(s('enabled')) ?? true,
    httpMethodSpecify: bool(s('http-method-specify')),
    webContextUnify: bool(s('web-context-unify')),
    originHeader: str(at(t, 'silk.sentinel.origin-header')),
    blockPage: str(s('block-page')),
    blockStatus: num(at(t, 'silk.sentinel.block-status')),
    blockBody: str(at(t, 'silk.sentinel.block-body')),
    transport: defined({
      // Empty means none, so a bootstrap file can keep the key for the environment to fill.
      dashboard: str(s('transport.dashboard')) || undefined,
      port: num(s('transport.port')),
      clientIp: str(s('transport.client-ip')),
      heartbeatIntervalMs: num(s('transport.heartbeat-interval-ms')),
    }),
    datasources,
  });
}

export function loadBootstrap(
  name: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  overrides: Partial<BootstrapConfig> = {},
): BootstrapConfig {
  const file = ['bootstrap.yaml', 'bootstrap.yml'].map((f) => join(cwd, f)).find((f) => existsSync(f));
  const flat = file ? parseConfig(readFileSync(file, 'utf8'), 'yaml', file) : new Map<string, unknown>();
  const t = unflatten(applyEnvOverrides(flat, env));
  const nacos = (k: string, envName: string) => str(env[envName]) ?? str(at(t, `spring.cloud.nacos.${k}`));
  const connection: NacosConnection = defined({
    serverAddr:
      nacos('server-addr', 'NACOS_SERVER_ADDR') ?? str(env.SPRING_CLOUD_NACOS_SERVERADDR) ?? '127.0.0.1:8848',
    username: nacos('username', 'NACOS_USERNAME'),
    password: nacos('password', 'NACOS_PASSWORD'),
    namespace: nacos('namespace', 'NACOS_NAMESPACE'),
  });
  const d = (k: string) => at(t, `spring.cloud.nacos.discovery.${k}`);
  const c = (k: string) => at(t, `spring.cloud.nacos.config.${k}`);
  const profiles = (str(env.SPRING_PROFILES_ACTIVE) ?? str(at(t, 'spring.profiles.active')) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    port: num(env.PORT) ?? num(at(t, 'server.port')) ?? 8080,
    host: str(at(t, 'server.address')) ?? '0.0.0.0',
    logLevel: str(at(t, 'logging.level.root'))?.toLowerCase() ?? 'info',
    profiles,
    nacos: connection,
    config: defined({
      prefix: str(c('prefix')),
      fileExtension: str(c('file-extension')),
      group: str(c('group')),
      namespace: str(c('namespace')),
      refreshEnabled: bool(c('refresh-enabled')),
      sharedConfigs: refs(c('shared-configs')),
      extensionConfigs: refs(c('extension-configs')),
    }),
    discovery: defined({
      group: str(d('group')),
      clusterName: str(d('cluster-name')),
      ip: str(d('ip')),
      weight: num(d('weight')),
      ephemeral: bool(d('ephemeral')),
      secure: bool(d('secure')),
      metadata: d('metadata') as Record<string, string> | undefined,
    }),
    sentinel: sentinelBootstrap(name, t),
    defaults: Object.fromEntries(flat),
    ...overrides,
  };
}

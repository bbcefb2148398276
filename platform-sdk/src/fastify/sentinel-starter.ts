/**
 * What spring-cloud-starter-alibaba-sentinel does for a Java app, for a Silk service: one
 * engine per service, its rule data sources (`spring.cloud.sentinel.datasource.*`, Nacos or
 * file) bound and followed live, and a health component that shows each source's last
 * outcome — rules in force, rules rejected with their reasons, a source that cannot be read.
 *
 * As in Java, a data source that is misconfigured or unreadable never stops the service: it
 * is logged, shown in health, and the rules already loaded stay in force.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Component } from '../core/index.js';
import { NacosConfigRepository, NacosRuleSource, type NacosConnection } from '../nacos/index.js';
import {
  bindRuleSource,
  FileRuleSource,
  RULE_KINDS,
  type RuleBinding,
  type RuleSourceEvent,
  type Sentinel,
} from '../sentinel/index.js';
import { findFirstNonLoopbackAddress } from '../nacos/index.js';
import { DashboardTransport } from '../sentinel-transport/index.js';
import type { HealthIndicator } from './actuator.js';
import type { SentinelBootstrap, SentinelDataSourceConfig } from './bootstrap.js';

type RuleKind = (typeof RULE_KINDS)[number];

export interface SentinelStarter {
  component: Component;
  health: HealthIndicator;
}

interface SourceStatus {
  rules?: number;
  rejected?: string[];
  error?: string;
}

function isRuleKind(t: string): t is RuleKind {
  return (RULE_KINDS as readonly string[]).includes(t);
}

/** Data sources grouped by the Nacos they read, so each Nacos gets one client. */
function nacosGroups(
  list: readonly SentinelDataSourceConfig[],
  base: NacosConnection,
): Map<string, { connection: NacosConnection; entries: SentinelDataSourceConfig[] }> {
  const groups = new Map<string, { connection: NacosConnection; entries: SentinelDataSourceConfig[] }>();
  for (const ds of list) {
    if (ds.nacos === undefined) continue;
    const n = ds.nacos;
    const connection: NacosConnection = {
      serverAddr: n.serverAddr ?? base.serverAddr,
      namespace: n.namespace ?? base.namespace ?? '',
      ...((n.username ?? base.username) ? { username: n.username ?? base.username } : {}),
      ...((n.password ?? base.password) ? { password: n.password ?? base.password } : {}),
    };
    const key = JSON.stringify(connection);
    const g = groups.get(key) ?? { connection, entries: [] };
    g.entries.push(ds);
    groups.set(key, g);
  }
  return groups;
}

export function sentinelStarter(
  config: SentinelBootstrap,
  sentinel: Sentinel,
  nacos: NacosConnection,
  log: FastifyBaseLogger,
): SentinelStarter {
  // The dashboard transport runs when a dashboard is named, as the Java starter's does.
  const t = config.transport;
  const transport =
    t.dashboard === undefined
      ? undefined
      : new DashboardTransport({
          sentinel,
          appName: config.appName,
          dashboard: t.dashboard,
          ...(t.port !== undefined ? { port: t.port } : {}),
          ...(t.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: t.heartbeatIntervalMs } : {}),
          clientIp: t.clientIp ?? findFirstNonLoopbackAddress() ?? '127.0.0.1',
          onHeartbeatError: (err) => log.warn({ err }, `sentinel heartbeat to ${t.dashboard} failed`),
        });
  const status = new Map<string, SourceStatus>();
  const bindings: RuleBinding[] = [];
  const repositories: NacosConfigRepository[] = [];
  const valid: SentinelDataSourceConfig[] = [];
  for (const ds of config.datasources) {
    const problem = !isRuleKind(ds.ruleType)
      ? `rule-type "${ds.ruleType}" is not one of ${RULE_KINDS.join(', ')} (gateway rule types belong to the gateway)`
      : ds.nacos === undefined && ds.file === undefined
        ? 'it names neither nacos nor file'
        : ds.nacos !== undefined && ds.nacos.dataId === ''
          ? 'nacos.data-id is empty'
          : undefined;
    if (problem === undefined) {
      valid.push(ds);
      continue;
    }
    status.set(ds.name, { error: `not bound: ${problem}` });
    log.error({ datasource: ds.name }, `sentinel datasource ${ds.name} not bound: ${problem}`);
  }

  const report = (name: string) => (e: RuleSourceEvent) => {
    if (e.type === 'error') {
      status.set(`${name}/${e.kind}`, { error: e.error.message });
      log.warn({ err: e.error, source: e.source, kind: e.kind }, e.error.message);
      return;
    }
    const rejected = e.result.rejected.map((r) => r.reason);
    if (!e.result.applied) {
      const why = `unreadable ${e.kind} rules from ${e.source}; the ${e.result.rules.length} rules in force stay`;
      status.set(`${name}/${e.kind}`, {
        rules: e.result.rules.length,
        error: `${why}: ${rejected.join('; ')}`,
      });
      log.warn({ rejected }, why);
      return;
    }
    status.set(`${name}/${e.kind}`, {
      rules: e.result.rules.length,
      ...(rejected.length ? { rejected } : {}),
    });
    const line = `sentinel ${e.kind} rules from ${e.source}: ${e.result.rules.length} in force, ${rejected.length} rejected`;
    if (rejected.length) log.warn({ rejected }, line);
    else log.info(line);
  };

  const component: Component = {
    name: 'sentinel',
    async start() {
      for (const g of nacosGroups(valid, nacos).values()) {
        const repository = new NacosConfigRepository({ connection: g.connection });
        repositories.push(repository);
        const source = new NacosRuleSource(
          repository,
          g.entries.map((e) => ({
            dataId: e.nacos!.dataId,
            ruleType: e.ruleType as RuleKind,
            ...(e.nacos!.groupId !== undefined ? { group: e.nacos!.groupId } : {}),
          })),
        );
        // Health is keyed by the data source names the operator wrote, per kind.
        const namesOf = (kind: RuleKind): string =>
          g.entries
            .filter((e) => e.ruleType === kind)
            .map((e) => e.name)
            .join(',');
        const kinds = [...new Set(g.entries.map((e) => e.ruleType as RuleKind))];
        bindings.push(await bindRuleSource(sentinel, source, kinds, (e) => report(namesOf(e.kind))(e)));
      }
      for (const ds of valid.filter((d) => d.file !== undefined)) {
        const kind = ds.ruleType as RuleKind;
        const source = new FileRuleSource({ files: { [kind]: ds.file!.file } });
        bindings.push(await bindRuleSource(sentinel, source, [kind], report(ds.name)));
      }
      await transport?.start();
    },
    async stop() {
      await transport?.stop();
      await Promise.all(bindings.splice(0).map((b) => b.close()));
      for (const r of repositories.splice(0)) r.close();
      sentinel.close();
    },
  };

  const health: HealthIndicator = () => ({
    status: 'UP',
    details: {
      ...(transport ? { dashboard: t.dashboard, commandPort: transport.port } : {}),
      dataSource: Object.fromEntries(status),
    },
  });
  return { component, health };
}

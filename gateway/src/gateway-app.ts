/**
 * The gateway as an application process, started as a Spring Cloud Gateway app starts:
 *
 * - settings from `bootstrap.yaml` in the working directory and the environment, with Spring's
 *   names (`server.port` 9080, `spring.application.name` silk-gateway,
 *   `spring.cloud.nacos.*`, `spring.data.redis.*` or Boot 2's `spring.redis.*`);
 * - a Silk service underneath (`createService`): registered in Nacos like any Spring Cloud
 *   Alibaba app, Actuator health and Prometheus, the Sentinel dashboard transport when one is
 *   named, SIGTERM → deregister → drain;
 * - routes from the dataId `${name}-routes.yaml`, Sentinel gateway flow rules from
 *   `${name}-gw-flow-rules.json` and API groups from `${name}-gw-api-groups.json` (or the
 *   dataIds of `spring.cloud.sentinel.datasource.*` entries with rule-type gw-flow /
 *   gw-api-group, as a Java gateway names them), followed live;
 * - `lb://` through the service's NacosDiscovery; RequestRateLimiter on Redis.
 *
 * Actuator shares the routes' port, as in Spring Cloud Gateway, where the actuator handler
 * mapping is consulted before the route mapping: `/actuator/**` is the gateway's own and never
 * routed, so no route should claim it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envName, parseConfig, type FlatConfig } from '@silk/platform-sdk/config';
import { createService, loadBootstrap, type SilkService } from '@silk/platform-sdk/fastify';
import { NacosConfigRepository } from '@silk/platform-sdk/nacos';
import { redisHealth } from '@silk/platform-sdk/observability';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { registerGateway } from './fastify-adapter.js';
import { RedisRateLimiter } from './filter/rate-limiter.js';
import { Gateway } from './gateway.js';
import { GatewayNacosConfig } from './nacos-sources.js';

const GATEWAY_RULE_TYPES = new Set(['gw-flow', 'gw-api-group']);

export interface GatewayAppSettings {
  name: string;
  port: number;
  host: string;
  group: string;
  routesDataId: string;
  flowRulesDataId: string;
  apiGroupsDataId: string;
  redis: { host: string; port: number; password?: string; db: number };
}

/** The gateway's own keys, read as Spring reads them: the environment wins over the file. */
export function readGatewaySettings(cwd: string, env: NodeJS.ProcessEnv): GatewayAppSettings {
  const file = ['bootstrap.yaml', 'bootstrap.yml'].map((f) => join(cwd, f)).find((f) => existsSync(f));
  const flat: FlatConfig = file ? parseConfig(readFileSync(file, 'utf8'), 'yaml', file) : new Map<string, unknown>();
  const scalar = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  const get = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = env[envName(k)] ?? scalar(flat.get(k));
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  };
  const name = get('spring.application.name') ?? 'silk-gateway';
  // spring-cloud-alibaba-sentinel-gateway's way of naming the rule dataIds: a Nacos data source
  // with rule-type gw-flow or gw-api-group.
  const fromDataSource = (ruleType: string): string | undefined => {
    for (const key of flat.keys()) {
      const m = /^spring\.cloud\.sentinel\.datasource\.([^.]+)\.nacos\.rule-type$/.exec(key);
      if (m && get(key) === ruleType) return get(`spring.cloud.sentinel.datasource.${m[1]}.nacos.data-id`);
    }
    return undefined;
  };
  return {
    name,
    port: Number(env.PORT ?? get('server.port') ?? 9080),
    host: get('server.address') ?? '0.0.0.0',
    group: get('silk.gateway.group') ?? 'DEFAULT_GROUP',
    routesDataId: get('silk.gateway.routes-data-id') ?? `${name}-routes.yaml`,
    flowRulesDataId: get('silk.gateway.flow-rules-data-id') ?? fromDataSource('gw-flow') ?? `${name}-gw-flow-rules.json`,
    apiGroupsDataId:
      get('silk.gateway.api-groups-data-id') ?? fromDataSource('gw-api-group') ?? `${name}-gw-api-groups.json`,
    redis: {
      host: get('spring.data.redis.host', 'spring.redis.host') ?? '127.0.0.1',
      port: Number(get('spring.data.redis.port', 'spring.redis.port') ?? 6379),
      db: Number(get('spring.data.redis.database', 'spring.redis.database') ?? 0),
      ...(get('spring.data.redis.password', 'spring.redis.password') !== undefined
        ? { password: get('spring.data.redis.password', 'spring.redis.password')! }
        : {}),
    },
  };
}

export interface GatewayApp {
  settings: GatewayAppSettings;
  service: SilkService<Record<string, unknown>>;
  gateway: Gateway;
  live: GatewayNacosConfig;
  /** The port bound (useful with port 0). */
  port(): number;
  start(): Promise<void>;
  /** Deregisters, drains, then closes the gateway's pools, the config followers and Redis. */
  stop(): Promise<void>;
}

/** Reads `bootstrap.yaml` in `cwd` (default the working directory) and the process environment. */
export function createGatewayApp(cwd = process.cwd()): GatewayApp {
  const settings = readGatewaySettings(cwd, process.env);
  const boot = loadBootstrap(settings.name, cwd, process.env);
  const redis = new Redis({
    host: settings.redis.host,
    port: settings.redis.port,
    db: settings.redis.db,
    ...(settings.redis.password !== undefined ? { password: settings.redis.password } : {}),
    // A rate-limited request must not wait for a Redis that is down: it fails open at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  // ioredis reports connection errors as events; the limiter and health report them instead.
  redis.on('error', () => undefined);
  let gateway: Gateway | undefined;
  let live: GatewayNacosConfig | undefined;
  let repository: NacosConfigRepository | undefined;
  let closing = false;
  const service = createService<Record<string, unknown>>({
    name: settings.name,
    cwd,
    configSchema: z.record(z.string(), z.unknown()),
    handleSignals: false,
    // The gateway's Sentinel resources are its route ids and API groups (SentinelGatewayFilter),
    // not the catch-all Fastify route the web adapter would see; the starter's data sources
    // and dashboard transport still run.
    bootstrap: {
      port: settings.port,
      host: settings.host,
      sentinel: {
        ...boot.sentinel,
        enabled: false,
        // Gateway rule data sources are the gateway's to follow (above), not the starter's.
        datasources: boot.sentinel.datasources.filter((d) => !GATEWAY_RULE_TYPES.has(d.ruleType)),
      },
    },
    healthIndicators: {
      gatewayRoutes: () => {
        const h = live?.health();
        return {
          status: h?.status ?? 'UNKNOWN',
          details: {
            dataId: settings.routesDataId,
            routes: gateway?.state.table.routes.map((r) => r.id) ?? [],
            ...(h?.lastError ? { lastError: h.lastError } : {}),
          },
        };
      },
      redis: redisHealth(redis),
    },
    routes: async (app, ctx) => {
      const log = app.log.child({ component: 'gateway' });
      gateway = new Gateway({
        discovery: ctx.discovery,
        sentinel: ctx.sentinel,
        rateLimiter: new RedisRateLimiter(redis, (err) => log.warn({ err }, 'rate limiter: redis failed, request admitted')),
        // Proxied requests skip Fastify's hooks (fastify-adapter.ts): the gateway opens their
        // SERVER span in the service's scope itself.
        observability: ctx.observability,
      });
      const namespace = boot.config.namespace ?? boot.nacos.namespace ?? '';
      repository = new NacosConfigRepository({ connection: { ...boot.nacos, namespace } });
      live = new GatewayNacosConfig(gateway, {
        repository,
        group: settings.group,
        routesDataId: settings.routesDataId,
        flowRulesDataId: settings.flowRulesDataId,
        apiDefinitionsDataId: settings.apiGroupsDataId,
        onReport: (e) => log.warn(e, `gateway config ${e.dataId}: ${e.message}`),
      });
      await live.start();
      log.info({ routes: gateway.state.table.routes.map((r) => r.id) }, `routes from ${settings.routesDataId}`);
      // A keep-alive connection whose proxied request outlives the start of shutdown would
      // otherwise idle on until its timeout: the answer tells the client to close it.
      app.addHook('onRequest', (_req, reply, done) => {
        if (closing) reply.raw.setHeader('connection', 'close');
        done();
      });
      await registerGateway(app, gateway, { closing: () => closing });
    },
  });
  return {
    settings,
    service,
    get gateway() {
      return gateway!;
    },
    get live() {
      return live!;
    },
    port: () => service.port(),
    start: () => service.start(),
    async stop() {
      closing = true;
      // A proxied answer is written past Fastify (the reply is hijacked), so its keep-alive
      // connection, idle once the answer is out, would hold the close until the drain deadline:
      // idle connections are closed as they appear.
      const sweep = setInterval(() => service.app.server.closeIdleConnections(), 100);
      try {
        await service.stop();
      } finally {
        clearInterval(sweep);
      }
      await live?.stop();
      repository?.close();
      await gateway?.close();
      redis.disconnect();
    },
  };
}

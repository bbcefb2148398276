/**
 * Starting one shop service: `createService` (bootstrap, Nacos config, Sentinel, routes,
 * registration) plus what every shop service holds — its own MySQL database (schema created
 * on start), Redis, a transaction client that finds the coordinator in Nacos, an AT data
 * source, and Dubbo's Nacos registry. On SIGTERM/SIGINT the HTTP side deregisters and drains
 * first, then the service's own components (Dubbo provider, consumers), then the pools.
 */
import { Redis } from 'ioredis';
import mysql, { type Pool } from 'mysql2/promise';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Lifecycle, type Component } from '@silk/platform-sdk/core';
import { DubboConsumer, DubboNacosRegistry, DubboProvider, NacosProviderDiscovery } from '@silk/platform-sdk/dubbo';
import { createService, loadBootstrap, type ServiceContext, type SilkService } from '@silk/platform-sdk/fastify';
import { mysqlHealth, redisHealth } from '@silk/platform-sdk/observability';
import type { ConfigSchema } from '@silk/platform-sdk/config';
import { nacosTcResolver, TxClient, undoLogDdl, type AtDataSource } from '@silk/platform-sdk/tx';
import { parseJdbcUrl, type ShopBaseConfig } from './config.js';

export interface ShopRuntime<T extends ShopBaseConfig> {
  name: string;
  ctx: ServiceContext<T>;
  log: FastifyBaseLogger;
  pool: Pool;
  redis: Redis;
  tx: TxClient;
  /** The service's database as an AT resource: writes inside a global transaction are undoable. */
  at: AtDataSource;
  /** A provider on `dubbo.protocol.port`, registered in Nacos as Dubbo 3 registers. */
  dubboProvider(): DubboProvider;
  /** A consumer that finds providers (Java or Silk) through Nacos. */
  dubboConsumer(): DubboConsumer;
}

export interface ShopServiceOptions<T extends ShopBaseConfig> {
  name: string;
  configSchema: ConfigSchema<T>;
  /** Idempotent DDL and seed statements run on the service's database at start. */
  schema: string[];
  /** Builds the service's routes and components once config and pools are there. */
  setup(rt: ShopRuntime<T>): Promise<ShopParts> | ShopParts;
}

export interface ShopParts {
  routes?: (app: FastifyInstance) => void | Promise<void>;
  /** Started in order after the pools, stopped in reverse after HTTP has drained. */
  components?: Component[];
}

export async function runShopService<T extends ShopBaseConfig>(opts: ShopServiceOptions<T>): Promise<SilkService<T>> {
  const boot = loadBootstrap(opts.name, process.cwd(), process.env);
  let pool: Pool | undefined;
  let redis: Redis | undefined;
  let tx: TxClient | undefined;
  let parts: Lifecycle | undefined;
  const unknown = () => ({ status: 'UNKNOWN' as const });

  const service = createService<T>({
    name: opts.name,
    configSchema: opts.configSchema,
    handleSignals: false,
    healthIndicators: {
      db: () => (pool ? mysqlHealth(pool)() : unknown()),
      redis: () => (redis ? redisHealth(redis)() : unknown()),
    },
    routes: async (app, ctx) => {
      const cfg = ctx.config();
      const ds = cfg.spring.datasource;
      const jdbc = parseJdbcUrl(ds.url);
      pool = mysql.createPool({
        host: jdbc.host,
        port: jdbc.port,
        database: jdbc.database,
        user: ds.username,
        password: ds.password,
        connectionLimit: ds['maximum-pool-size'],
        decimalNumbers: false,
        supportBigNumbers: true,
        bigNumberStrings: true,
      });
      for (const sql of [undoLogDdl(), ...opts.schema]) await pool.query(sql);
      redis = new Redis({ ...cfg.spring.data.redis, lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      const log = app.log;
      tx = new TxClient({
        applicationId: opts.name,
        tc: nacosTcResolver(ctx.discovery, cfg.silk.tx['coordinator-service']),
        log: (level, msg, fields) => log[level](fields ?? {}, msg),
      });
      await tx.start();
      const at = tx.atDataSource(pool, { resourceId: jdbc.resourceId });
      // Interface-level names only: Dubbo 3's application-level instance would be registered
      // under the application name, the same Nacos service as the HTTP instance, and callers by
      // name (Spring Cloud LoadBalancer, ServiceClient) would be handed the Dubbo port. Java
      // estates mixing both set dubbo.registry.register-mode=interface for the same reason.
      const registry = () =>
        new DubboNacosRegistry({
          connection: boot.nacos,
          application: opts.name,
          registerMode: cfg.dubbo.registry['register-mode'],
          ...(boot.discovery.ip ? { ip: boot.discovery.ip } : {}),
        });
      const rt: ShopRuntime<T> = {
        name: opts.name,
        ctx,
        log,
        pool,
        redis,
        tx,
        at,
        dubboProvider: () =>
          new DubboProvider({
            port: cfg.dubbo.protocol.port,
            host: boot.host,
            registry: registry(),
            sentinel: ctx.sentinel,
            logger: log.child({ component: 'dubbo' }),
            accessLog: cfg.dubbo.provider.accesslog,
          }),
        dubboConsumer: () =>
          new DubboConsumer({
            discovery: new NacosProviderDiscovery(ctx.discovery),
            application: opts.name,
            sentinel: ctx.sentinel,
            logger: log.child({ component: 'dubbo' }),
            timeout: 5000,
            retries: 0,
          }),
      };
      const built = await opts.setup(rt);
      parts = new Lifecycle(built.components ?? [], (e) => log.debug(e, `lifecycle ${e.kind} ${e.component}`));
      await parts.start();
      await built.routes?.(app);
    },
  });

  const closePools = async () => {
    tx?.stop();
    await pool?.end().catch(() => undefined);
    redis?.disconnect();
  };
  try {
    await service.start();
  } catch (err) {
    await parts?.stop();
    await closePools();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await service.stop();
      await parts?.stop();
      await closePools();
    })());
  const onSignal = () => void stop().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  console.log(`SHOP READY ${opts.name} ${service.port()}`);
  return { ...service, stop };
}

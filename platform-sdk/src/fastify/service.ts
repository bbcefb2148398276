/**
 * The service starter: one call brings a Silk service up in the order a Spring Cloud Alibaba
 * app comes up, and down in reverse on SIGTERM/SIGINT:
 *
 *   start: bootstrap config (file + environment) → Nacos config (typed, live) → logger →
 *          Sentinel rule sources → routes (guarded by Sentinel) → HTTP listen →
 *          Nacos registration → ready
 *   stop:  not ready → deregister from Nacos → stop accepting and drain in-flight requests →
 *          stop following config
 *
 * Deregistering before closing the server is what lets callers stop choosing this instance
 * while requests already on their way still get answers.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Lifecycle, type Component } from '../core/index.js';
import {
  ConfigStore,
  LiveConfig,
  configSources,
  type ConfigSchema,
  type NacosConfigOptions,
} from '../config/index.js';
import {
  NacosConfigRepository,
  NacosDiscovery,
  NacosRegistration,
  type NacosConnection,
} from '../nacos/index.js';
import {
  ServiceObservability,
  observeHttpServer,
  registerLoggersEndpoint,
  type ServiceObservabilityOptions,
} from '../observability/index.js';
import { createSentinel, type Sentinel } from '../sentinel/index.js';
import { registerActuator, type HealthIndicator } from './actuator.js';
import { loadBootstrap, type BootstrapConfig } from './bootstrap.js';
import { registerSentinelWeb } from './sentinel-web.js';
import { sentinelStarter } from './sentinel-starter.js';

export interface CreateServiceOptions<T> {
  /** spring.application.name: the Nacos service name and config prefix. */
  name: string;
  configSchema: ConfigSchema<T>;
  /** Routes, registered after config is loaded; `config()` returns the current config. */
  routes?: (app: FastifyInstance, ctx: ServiceContext<T>) => void | Promise<void>;
  /** Overrides of the bootstrap file; otherwise read from `bootstrap.yaml` and the environment. */
  bootstrap?: Partial<BootstrapConfig>;
  /** Directory of `bootstrap.yaml`; default the working directory. */
  cwd?: string;
  /** Install SIGTERM/SIGINT handlers that stop the service; default true. */
  handleSignals?: boolean;
  /** Health components beside Nacos and Sentinel (`mysqlHealth(pool)`, `redisHealth(redis)`...). */
  healthIndicators?: Record<string, HealthIndicator>;
  /** Where logs and spans go besides what the properties say (tests). */
  observability?: Pick<ServiceObservabilityOptions, 'logDestination' | 'spanExporters' | 'exportImmediately'>;
}

export interface ServiceContext<T> {
  config(): T;
  store: ConfigStore<T>;
  discovery: NacosDiscovery;
  /**
   * The service's Sentinel engine: routes are its resources unless
   * `spring.cloud.sentinel.enabled` is false; pass it to ServiceClient to guard calls out.
   */
  sentinel: Sentinel;
  /** Tracing, meters (`/actuator/prometheus`) and named loggers that follow `logging.level.*`. */
  observability: ServiceObservability;
}

export interface SilkService<T> extends ServiceContext<T> {
  app: FastifyInstance;
  /** The registration, once the service has started. */
  registration(): NacosRegistration | undefined;
  /** The port actually bound (useful with port 0). */
  port(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createService<T>(opts: CreateServiceOptions<T>): SilkService<T> {
  const boot = loadBootstrap(opts.name, opts.cwd ?? process.cwd(), process.env, opts.bootstrap);
  const connection: NacosConnection = boot.nacos;
  const configOptions: NacosConfigOptions = { ...boot.config, name: opts.name, profiles: boot.profiles };
  const sources = configSources(configOptions);
  const store = new ConfigStore(sources, opts.configSchema, {
    profiles: boot.profiles,
    defaults: boot.defaults,
  });
  const repository = new NacosConfigRepository({
    connection: { ...connection, namespace: boot.config.namespace ?? connection.namespace ?? '' },
  });
  // The login (a password check on the server, the slowest step of start-up) runs while the
  // logger, metrics and Fastify are set up; naming and the rule sources share its token.
  void repository.client.api.login();
  const observability = new ServiceObservability({
    application: opts.name,
    bootstrap: boot.defaults,
    logLevel: boot.logLevel,
    ...opts.observability,
  });
  const live = new LiveConfig(store, sources, observability.observeConfig(repository, sources), (err, s) =>
    app.log.error({ err, dataId: s.dataId }, 'config update failed'),
  );
  // Fastify's default on close: idle keep-alive sockets are closed at once, requests in flight finish.
  // pino's Logger is Fastify's logger with more methods; Fastify's types want the narrower one.
  const logger: FastifyBaseLogger = observability.logger;
  const app = Fastify({ loggerInstance: logger });
  // First of the onRequest hooks: the request context (trace, XID) is open for all the others.
  observeHttpServer(app, observability);
  // The Nacos clients log through the service's logger: JSON lines, one level setting.
  const nacosLog = app.log.child({ component: 'nacos' });
  const discovery = new NacosDiscovery({
    connection,
    clusterName: boot.discovery.clusterName ?? 'DEFAULT',
    logger: nacosLog,
  });
  let boundPort = boot.port;
  let ready = false;
  let closing = false;
  // A keep-alive connection whose request was still running when close() began turns idle
  // only afterwards, and the server would then wait out its keep-alive timeout for it. Telling
  // those clients `Connection: close` ends each connection with its last response.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  // Built once the server listens: the bound port is known only then (port 0 in tests).
  let registration: NacosRegistration | undefined;
  const sentinel = createSentinel();
  const sentinelParts = sentinelStarter(
    boot.sentinel,
    sentinel,
    connection,
    app.log.child({ component: 'sentinel' }),
  );
  observability.bindSentinel(sentinel);
  const ctx: ServiceContext<T> = { config: () => store.current, store, discovery, sentinel, observability };

  const indicators = new Map<string, HealthIndicator>([
    [
      'nacosConfig',
      () => {
        const h = store.health();
        return {
          status: h.status,
          details: h.lastError ? { lastError: h.lastError } : { sources: sources.map((s) => s.dataId) },
        };
      },
    ],
    [
      'nacosDiscovery',
      () => ({
        status: registration?.isRegistered ? 'UP' : 'OUT_OF_SERVICE',
        details: { service: opts.name },
      }),
    ],
    ['sentinel', sentinelParts.health],
    ...Object.entries(opts.healthIndicators ?? {}),
  ]);

  const components: Component[] = [
    observability,
    { name: 'config', start: () => live.start(), stop: () => (live.stop(), repository.close()) },
    discovery,
    sentinelParts.component,
    {
      name: 'http',
      start: async () => {
        registerActuator(app, {
          indicators,
          ready: () => ready,
          info: () => ({ app: { name: opts.name }, ...observability.info() }),
          prometheus: observability.meters,
        });
        registerLoggersEndpoint(app, observability.logLevels);
        if (boot.sentinel.enabled) {
          const { httpMethodSpecify, webContextUnify, originHeader, blockPage, blockStatus, blockBody } =
            boot.sentinel;
          const web = { httpMethodSpecify, webContextUnify, originHeader, blockPage, blockStatus, blockBody };
          registerSentinelWeb(app, {
            sentinel,
            ...(Object.fromEntries(Object.entries(web).filter(([, v]) => v !== undefined)) as Partial<
              typeof web
            >),
          });
        }
        await opts.routes?.(app, ctx);
        await app.listen({ port: boot.port, host: boot.host });
        const addr = app.server.address();
        if (addr && typeof addr === 'object') boundPort = addr.port;
      },
      stop: async () => {
        closing = true;
        const drained = app.close();
        // Past the drain deadline, stragglers are cut rather than holding shutdown hostage.
        const deadline = setTimeout(() => app.server.closeAllConnections(), boot.drainTimeoutMs ?? 30_000);
        try {
          await drained;
        } finally {
          clearTimeout(deadline);
        }
      },
    },
    {
      name: 'nacos-registration',
      start: () => {
        registration = new NacosRegistration({
          logger: nacosLog,
          ...boot.discovery,
          service: opts.name,
          port: boundPort,
          connection,
        });
        return registration.start();
      },
      stop: async () => {
        await registration?.stop();
        const grace = boot.deregisterGraceMs ?? 1000;
        if (grace > 0) await new Promise((r) => setTimeout(r, grace));
      },
    },
    { name: 'ready', start: () => void (ready = true), stop: () => void (ready = false) },
  ];
  const lifecycle = new Lifecycle(components, (e) => app.log.info(e, `lifecycle ${e.kind} ${e.component}`));
  let unhook: (() => void) | undefined;

  return {
    ...ctx,
    app,
    registration: () => registration,
    port: () => boundPort,
    async start() {
      await lifecycle.start();
      if (opts.handleSignals ?? true) unhook = lifecycle.stopOnSignals();
    },
    async stop() {
      unhook?.();
      await lifecycle.stop();
    },
  };
}

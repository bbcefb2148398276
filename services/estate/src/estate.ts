/**
 * The whole demo estate in one call: topics and consumer group on RocketMQ, the Nacos content
 * pushed, then the coordinator, the shop services, the gateway and the Java portal, each
 * started only after what it needs is up and healthy. `stop()` stops them in reverse, each
 * with SIGTERM so it leaves Nacos before it stops serving.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { buildJavaFixture, freePort } from '@silk/stack/java-fixture';
import { ensureConsumerGroups, ensureTopics } from '@silk/stack/rocketmq';
import { repoRoot, startProcess, waitHealthy, type EstateProcess, type ProcessSpec } from './processes.js';

export const FIXED_PORTS = {
  gateway: 9080,
  order: 18081,
  storage: 18082,
  account: 18083,
  notification: 18084,
  portal: 18085,
  storageDubbo: 20881,
  accountDubbo: 20882,
  tc: 8091,
  tcAdmin: 7091,
} as const;

export type EstatePorts = { -readonly [K in keyof typeof FIXED_PORTS]: number };

export const SENTINEL_DASHBOARD = '127.0.0.1:8858';

export interface EstateOptions {
  /** `fixed`: the ports above (the README's); `free`: any free ports (tests). */
  ports?: 'fixed' | 'free';
  /** Start the Java Spring Cloud Alibaba portal (default true). */
  java?: boolean;
  /** Point every service's Sentinel transport at the dashboard on 8858 (default false). */
  dashboard?: boolean;
  logDir?: string;
  onStep?: (message: string) => void;
}

export interface Estate {
  ports: EstatePorts;
  processes: EstateProcess[];
  logDir: string;
  url(service: keyof EstatePorts, path?: string): string;
  stop(): Promise<void>;
}

const nacosEnv = {
  NACOS_SERVER_ADDR: `127.0.0.1:${nacos.port}`,
  NACOS_USERNAME: nacos.username,
  NACOS_PASSWORD: nacos.password,
};

async function allocate(mode: 'fixed' | 'free'): Promise<EstatePorts> {
  const ports: EstatePorts = { ...FIXED_PORTS };
  if (mode === 'fixed') return ports;
  for (const k of Object.keys(ports) as (keyof EstatePorts)[]) ports[k] = await freePort();
  return ports;
}

export async function startEstate(opts: EstateOptions = {}): Promise<Estate> {
  const step = opts.onStep ?? (() => undefined);
  const logDir = opts.logDir ?? join(repoRoot, '.stack', 'estate', 'logs');
  const ports = await allocate(opts.ports ?? 'fixed');
  const processes: EstateProcess[] = [];
  const url = (service: keyof EstatePorts, path = '') => `http://127.0.0.1:${ports[service]}${path}`;
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  const start = async (spec: ProcessSpec, health?: string): Promise<EstateProcess> => {
    const p = await startProcess(spec, logDir);
    processes.push(p);
    if (health) await waitHealthy(spec.name, health, spec.readyTimeoutMs ?? 60_000);
    step(`${spec.name} is up`);
    return p;
  };
  const sentinelEnv: Record<string, string> = opts.dashboard ? { SPRING_CLOUD_SENTINEL_TRANSPORT_DASHBOARD: SENTINEL_DASHBOARD } : {};
  const shop = (name: 'order' | 'storage' | 'account' | 'notification', env: Record<string, string> = {}): ProcessSpec => ({
    name: `${name}-service`,
    cwd: join(repoRoot, 'services', name),
    env: { ...nacosEnv, ...sentinelEnv, SERVER_PORT: String(ports[name]), ...env },
    ready: /SHOP READY \S+ (\d+)/,
    readyTimeoutMs: 90_000,
  });

  try {
    step('creating the order-events topic and its consumer group on RocketMQ');
    await ensureTopics([{ name: 'shop-order-events', messageType: 'TRANSACTION' }]);
    await ensureConsumerGroups([{ name: 'notification-service' }]);
    step('pushing nacos-config/ to Nacos');
    const push = await startProcess(
      { name: 'nacos-push', script: join(repoRoot, 'nacos-config', 'src', 'push.ts'), cwd: repoRoot, env: nacosEnv, ready: /published \d+ of \d+ dataIds/ },
      logDir,
    );
    await push.exited;

    await start({
      name: 'tx-coordinator',
      script: 'src/main.ts',
      cwd: join(repoRoot, 'services', 'tx-coordinator'),
      env: { ...nacosEnv, TC_PORT: String(ports.tc), TC_ADMIN_PORT: String(ports.tcAdmin) },
      ready: /TC READY (\d+) (\d+)/,
    }, url('tcAdmin', '/health'));
    await Promise.all([
      start(shop('storage', { DUBBO_PROTOCOL_PORT: String(ports.storageDubbo) }), url('storage', '/actuator/health')),
      start(shop('account', { DUBBO_PROTOCOL_PORT: String(ports.accountDubbo) }), url('account', '/actuator/health')),
    ]);
    await Promise.all([
      start(shop('order'), url('order', '/actuator/health')),
      start(shop('notification'), url('notification', '/actuator/health')),
    ]);
    const gatewayMain = join(repoRoot, 'gateway', 'src', 'main.ts');
    if (existsSync(gatewayMain))
      await start({
        name: 'gateway',
        script: gatewayMain,
        cwd: join(repoRoot, 'services', 'estate', 'gateway'),
        env: { ...nacosEnv, ...sentinelEnv, PORT: String(ports.gateway), SERVER_PORT: String(ports.gateway) },
        ready: /GATEWAY READY (\d+)/,
      });
    if (opts.java ?? true) {
      step('building the Java portal (interop/java/sca-app) if needed');
      const jar = buildJavaFixture('sca-app', 'sca-app.jar');
      await start(
        {
          name: 'shop-portal',
          command: [
            'java',
            '-XX:TieredStopAtLevel=1',
            '-Xmx256m',
            '-jar',
            jar,
            `--server.port=${ports.portal}`,
            '--server.address=127.0.0.1',
            '--spring.application.name=shop-portal',
            `--spring.cloud.nacos.server-addr=127.0.0.1:${nacos.port}`,
            `--spring.cloud.nacos.username=${nacos.username}`,
            `--spring.cloud.nacos.password=${nacos.password}`,
            '--spring.cloud.nacos.discovery.ip=127.0.0.1',
            '--spring.config.import=optional:nacos:shop-portal.yaml?refreshEnabled=true',
            '--spring.cloud.loadbalancer.cache.ttl=5s',
          ],
          cwd: repoRoot,
          ready: /Started \w+ in/,
          readyTimeoutMs: 180_000,
        },
        url('portal', '/actuator/health'),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, processes, logDir, url, stop };
}

/**
 * Runs the TC as a service: `tsx services/tx-coordinator/src/main.ts`. Settings come from the
 * environment (names below); it registers in Nacos as `tx-coordinator` when NACOS_SERVER_ADDR
 * is set, so clients find it by name, and prints `TC READY <port> <adminPort>` once serving.
 */
import { Lifecycle, type Component } from '@silk/platform-sdk/core';
import { NacosRegistration } from '@silk/platform-sdk/nacos';
import { TransactionCoordinator } from './tc.js';

const env = process.env;
const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));

const tc = new TransactionCoordinator({
  db: {
    host: env.TC_DB_HOST ?? '127.0.0.1',
    port: num(env.TC_DB_PORT, 3306),
    user: env.TC_DB_USER ?? 'silk',
    password: env.TC_DB_PASSWORD ?? 'silk',
    database: env.TC_DB_NAME ?? 'silk_tx',
  },
  tableSuffix: env.TC_TABLE_SUFFIX ?? '',
  host: env.TC_HOST ?? '127.0.0.1',
  port: num(env.TC_PORT, 8091),
  adminPort: num(env.TC_ADMIN_PORT, 7091),
  ...(env.TC_OWNER ? { owner: env.TC_OWNER } : {}),
  leaseMs: num(env.TC_LEASE_MS, 10_000),
  recoveryIntervalMs: num(env.TC_RECOVERY_INTERVAL_MS, 1000),
});

const components: Component[] = [tc];
if (env.NACOS_SERVER_ADDR) {
  let registration: NacosRegistration | undefined;
  components.push({
    name: 'nacos-registration',
    start: async () => {
      registration = new NacosRegistration({
        connection: {
          serverAddr: env.NACOS_SERVER_ADDR!,
          ...(env.NACOS_USERNAME ? { username: env.NACOS_USERNAME } : {}),
          ...(env.NACOS_PASSWORD ? { password: env.NACOS_PASSWORD } : {}),
          ...(env.NACOS_NAMESPACE ? { namespace: env.NACOS_NAMESPACE } : {}),
        },
        service: env.TC_SERVICE_NAME ?? 'tx-coordinator',
        ip: env.TC_HOST ?? '127.0.0.1',
        port: tc.port,
        metadata: { 'admin.port': String(tc.adminPort), owner: tc.owner },
      });
      await registration.start();
    },
    stop: () => registration?.stop(),
  });
}

const lifecycle = new Lifecycle(components);
lifecycle.stopOnSignals();
lifecycle.start().then(
  () => console.log(`TC READY ${tc.port} ${tc.adminPort} ${tc.owner}`),
  (err: unknown) => {
    console.error('TC failed to start', err);
    process.exit(1);
  },
);

/**
 * The gateway against the real Nacos: routes read from a dataId in Spring Cloud Gateway's YAML
 * shape, `lb://` resolved through NacosDiscovery to Silk services registered by createService,
 * a route change published while a load run is going (no request fails, the new route takes
 * over), and a broken route document refused whole with the reason while the last good routes
 * keep serving.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { NacosConfigRepository, NacosDiscovery } from '@silk/platform-sdk/nacos';
import { createService, type SilkService } from '@silk/platform-sdk/fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GatewayNacosConfig } from './nacos-sources.js';
import { startGateway, type GatewayUnderTest } from './test-support.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const connection = { serverAddr, username: nacos.username, password: nacos.password };
const orders = `gw-it-orders-${process.pid}`;
const users = `gw-it-users-${process.pid}`;
const dataId = `gw-it-routes-${process.pid}.yaml`;
let token = '';
type Svc = SilkService<Record<string, unknown>>;
const services: Svc[] = [];
let gw: GatewayUnderTest;
let live: GatewayNacosConfig;
let discovery: NacosDiscovery;
let repository: NacosConfigRepository;

async function publish(content: string): Promise<void> {
  const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content, type: 'yaml', accessToken: token });
  const res = await fetch(`${base}/v1/cs/configs`, { method: 'POST', body });
  expect(await res.text()).toBe('true');
}

function startService(name: string): Promise<Svc> {
  const svc = createService({
    name,
    configSchema: z.record(z.string(), z.unknown()),
    cwd: mkdtempSync(join(tmpdir(), 'silk-gw-svc-')),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      nacos: connection,
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
    },
    routes: (app) => {
      app.get('/hello', () => ({ service: name, port: svc.port() }));
      app.get('/slow', async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { service: name, slow: true };
      });
    },
  });
  services.push(svc);
  return svc.start().then(() => svc);
}

const routes = (target: string, extra = '') => `spring:
  cloud:
    gateway:
      routes:
        - id: shop
          uri: lb://${target}
          predicates:
            - Path=/shop/**
          filters:
            - StripPrefix=1
            - AddResponseHeader=X-Gateway, silk
${extra}`;

async function shopService(): Promise<string> {
  const res = await request(`${gw.url}/shop/hello`);
  if (res.statusCode !== 200) return `status ${res.statusCode}: ${await res.body.text()}`;
  return ((await res.body.json()) as { service: string }).service;
}

beforeAll(async () => {
  token = await nacosLogin();
  await Promise.all([startService(orders), startService(users)]);
  await publish(routes(orders));
  repository = new NacosConfigRepository({ connection, cacheDir: mkdtempSync(join(tmpdir(), 'silk-gw-nacos-')) });
  // A fresh publish reaches reads within a moment.
  const deadline = Date.now() + 10_000;
  const source = { dataId, group: 'DEFAULT_GROUP', format: 'yaml', refresh: true, kind: 'extension' } as const;
  while (!((await repository.get(source)) ?? '').includes(orders)) {
    if (Date.now() > deadline) throw new Error(`published ${dataId} never became readable`);
    await new Promise((r) => setTimeout(r, 200));
  }
  discovery = new NacosDiscovery({ connection, snapshotDir: mkdtempSync(join(tmpdir(), 'silk-gw-naming-')), refreshIntervalMs: 1000 });
  gw = await startGateway({ discovery });
  live = new GatewayNacosConfig(gw.gateway, {
    repository,
    routesDataId: dataId,
    warmUpTimeoutMs: 20_000,
    onReport: (e) => console.warn('gateway config report', e),
  });
  await live.start();
}, 120_000);

afterAll(async () => {
  await live?.stop();
  await gw?.close();
  await discovery?.stop();
  repository?.close();
  await Promise.all(services.map((s) => s.stop()));
  await fetch(`${base}/v1/cs/configs?${new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', accessToken: token }).toString()}`, { method: 'DELETE' });
}, 60_000);

describe('gateway routes from Nacos', () => {
  it('routes lb:// to a Silk service discovered in Nacos, with the route filters applied', async () => {
    await expect.poll(shopService, { timeout: 20_000, interval: 500 }).toBe(orders);
    const res = await request(`${gw.url}/shop/hello`);
    expect(res.headers['x-gateway']).toBe('silk');
    expect(((await res.body.json()) as { port: number }).port).toBe(services[0]!.port());
  });

  it('takes a route change published during a load run without a failed request', async () => {
    await expect.poll(shopService, { timeout: 20_000, interval: 500 }).toBe(orders);
    const seen: string[] = [];
    // Answers to requests sent once a `users` answer had arrived: a slow request routed
    // before the switch may still finish after it, so completion order alone cannot tell.
    const sentAfterSwitch: string[] = [];
    const failures: string[] = [];
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const path = seen.length % 5 === 0 ? '/shop/slow' : '/shop/hello';
        const switched = seen.includes(users);
        const res = await request(`${gw.url}${path}`);
        const text = await res.body.text();
        if (res.statusCode !== 200) failures.push(`${res.statusCode} ${text}`);
        else {
          const service = (JSON.parse(text) as { service: string }).service;
          seen.push(service);
          if (switched) sentAfterSwitch.push(service);
        }
        // Paced, so the load run does not starve the Nacos server sharing this machine.
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, worker));
    await new Promise((r) => setTimeout(r, 500));
    await publish(routes(users));
    await expect.poll(() => seen.at(-1), { timeout: 45_000, interval: 100 }).toBe(users);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(seen).toContain(orders);
    expect(seen.at(-1)).toBe(users);
    // Once switched, it stays switched: no request sent after the first `users` answer went to orders.
    expect(sentAfterSwitch.length).toBeGreaterThan(0);
    expect(sentAfterSwitch).not.toContain(orders);
  }, 90_000);

  it('refuses a broken route document whole, says why, and keeps serving the last good routes', async () => {
    await publish(routes(users, '        - id: broken\n          uri: lb://x\n          predicates: [Path=/a/**/b]\n        - id: shop2\n          uri: lb://nope\n          predicates: [Nope=1]\n'));
    await expect.poll(() => live.health().lastError?.message ?? '', { timeout: 45_000, interval: 200 }).toMatch(/route 'broken'.*only at the end.*route 'shop2'.*unknown predicate 'Nope'/);
    expect(live.health().status).toBe('UP');
    expect(await shopService()).toBe(users);
    expect(gw.gateway.state.table.routes.map((r) => r.id)).toEqual(['shop']);
    await publish(routes(orders));
    await expect.poll(shopService, { timeout: 45_000, interval: 200 }).toBe(orders);
    expect(live.health().lastError).toBeUndefined();
  }, 120_000);
});

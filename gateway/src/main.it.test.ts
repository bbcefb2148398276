/**
 * The gateway process (src/main.ts) as the estate runs it: a child with its own bootstrap.yaml,
 * routes from `${spring.application.name}-routes.yaml` in the real Nacos, `lb://` to Silk
 * services registered there, RequestRateLimiter on the stack's Redis, registered in Nacos as a
 * Spring Cloud Alibaba app, and gone from Nacos after SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createService, type SilkService } from '@silk/platform-sdk/fastify';
import { nacos, repoRoot } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const name = `gw-main-it-${process.pid}`;
const routesDataId = `${name}-routes.yaml`;
const [orders, users] = [`gw-main-orders-${process.pid}`, `gw-main-users-${process.pid}`];
const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
type Svc = SilkService<Record<string, unknown>>;
const services: Svc[] = [];
let token = '';
let child: ChildProcess | undefined;
let output = '';
let gatewayUrl = '';

async function publish(content: string, dataId = routesDataId, type = 'yaml'): Promise<void> {
  const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content, type, accessToken: token });
  expect(await (await fetch(`${base}/v1/cs/configs`, { method: 'POST', body })).text()).toBe('true');
}

async function instances(service: string): Promise<{ ip: string; port: number; metadata: Record<string, string> }[]> {
  const q = new URLSearchParams({ serviceName: service, accessToken: token, healthyOnly: 'false' });
  const res = await fetch(`${base}/v1/ns/instance/list?${q.toString()}`);
  return ((await res.json()) as { hosts?: { ip: string; port: number; metadata: Record<string, string> }[] }).hosts ?? [];
}

const routes = (target: string) => `spring:
  cloud:
    gateway:
      routes:
        - id: shop
          uri: lb://${target}
          predicates: [Path=/shop/**]
          filters: [StripPrefix=1]
        - id: guarded
          uri: lb://${target}
          predicates: [Path=/guarded/**]
          filters: [StripPrefix=1]
        - id: limited-${process.pid}
          uri: lb://${target}
          predicates: [Path=/limited/**]
          filters:
            - StripPrefix=1
            - name: RequestRateLimiter
              args:
                key-resolver: "#{@ipKeyResolver}"
                redis-rate-limiter.replenishRate: 1
                redis-rate-limiter.burstCapacity: 2
`;

function startService(svcName: string): Promise<void> {
  const svc = createService({
    name: svcName,
    configSchema: z.record(z.string(), z.unknown()),
    cwd: mkdtempSync(join(tmpdir(), 'silk-gw-main-svc-')),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      nacos: { serverAddr, username: nacos.username, password: nacos.password },
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
    },
    routes: (app) => {
      app.get('/hello', () => ({ service: svcName }));
      app.get('/slow', async () => {
        await new Promise((r) => setTimeout(r, 2000));
        return { service: svcName, slow: true };
      });
    },
  });
  services.push(svc);
  return svc.start();
}

async function whoAnswers(path = '/shop/hello'): Promise<string> {
  const res = await fetch(`${gatewayUrl}${path}`);
  const text = await res.text();
  return res.status === 200 ? (JSON.parse(text) as { service: string }).service : `${res.status} ${text}`;
}

beforeAll(async () => {
  token = await nacosLogin();
  await Promise.all([startService(orders), startService(users), publish(routes(orders))]);
  const cwd = mkdtempSync(join(tmpdir(), 'silk-gw-main-'));
  writeFileSync(
    join(cwd, 'bootstrap.yaml'),
    `server:
  port: 0
  address: 127.0.0.1
spring:
  application:
    name: ${name}
  cloud:
    nacos:
      server-addr: ${serverAddr}
      discovery:
        ip: 127.0.0.1
logging:
  level:
    root: warn
`,
  );
  // Credentials come from the environment, as the estate passes them.
  const env = { ...process.env, NACOS_USERNAME: nacos.username, NACOS_PASSWORD: nacos.password };
  child = spawn(process.execPath, ['--import', tsxLoader, join(repoRoot, 'gateway', 'src', 'main.ts')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no GATEWAY READY within 60 s:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
      const m = /GATEWAY READY (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`gateway exited ${code} before ready:\n${output}`)));
  });
  gatewayUrl = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(services.map((s) => s.stop()));
  for (const dataId of [routesDataId, `${name}-gw-flow-rules.json`]) {
    const q = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', accessToken: token });
    await fetch(`${base}/v1/cs/configs?${q.toString()}`, { method: 'DELETE' });
  }
}, 60_000);

describe('the gateway process', () => {
  it('routes lb:// to a Silk service, as the routes dataId in Nacos says', async () => {
    await expect.poll(() => whoAnswers(), { timeout: 20_000, interval: 300 }).toBe(orders);
  });

  it('is registered in Nacos as a Spring Cloud Alibaba app, and healthy on its Actuator endpoint', async () => {
    const port = Number(new URL(gatewayUrl).port);
    await expect.poll(async () => (await instances(name)).map((i) => i.port), { timeout: 10_000 }).toEqual([port]);
    const [instance] = await instances(name);
    expect(instance!.metadata['preserved.register.source']).toBe('SPRING_CLOUD');
    const health = (await (await fetch(`${gatewayUrl}/actuator/health`)).json()) as {
      status: string;
      components: Record<string, { status: string; details?: { routes?: string[] } }>;
    };
    expect(health.status).toBe('UP');
    expect(health.components.gatewayRoutes!.details!.routes).toEqual(['shop', 'guarded', `limited-${process.pid}`]);
    expect(health.components.redis!.status).toBe('UP');
  });

  it('limits a RequestRateLimiter route through the stack Redis', async () => {
    // Burst 2, one token a second: of five back-to-back requests at most three pass.
    const statuses = await Promise.all(Array.from({ length: 5 }, () => fetch(`${gatewayUrl}/limited/hello`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain(200);
  });

  it('follows Sentinel gateway flow rules from ${name}-gw-flow-rules.json', async () => {
    const burst = async () => {
      const statuses = await Promise.all(Array.from({ length: 6 }, () => fetch(`${gatewayUrl}/guarded/hello`).then((r) => r.status)));
      return statuses.filter((s) => s === 429).length;
    };
    expect(await burst()).toBe(0);
    await publish(JSON.stringify([{ resource: 'guarded', resourceMode: 0, count: 2, intervalSec: 1 }]), `${name}-gw-flow-rules.json`, 'json');
    await expect.poll(burst, { timeout: 20_000, interval: 1100 }).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('follows an edit of the routes dataId', async () => {
    await publish(routes(users));
    await expect.poll(() => whoAnswers(), { timeout: 30_000, interval: 300 }).toBe(users);
  }, 40_000);

  it('on SIGTERM leaves Nacos, finishes the request in flight, and exits cleanly', async () => {
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    // Outlasts the deregistration grace (1 s), so it is still running when the server closes.
    const inFlight = fetch(`${gatewayUrl}/shop/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 200));
    child!.kill('SIGTERM');
    await expect.poll(async () => (await instances(name)).length, { timeout: 5000, interval: 100 }).toBe(0);
    expect(await inFlight).toEqual({ status: 200, body: { service: users, slow: true } });
    expect(await exited).toBe(0);
  }, 30_000);
});

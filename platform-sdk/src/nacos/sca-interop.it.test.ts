/**
 * Interop with a stock Java Spring Cloud Alibaba app (interop/java/sca-app: Boot 3.2.12, Spring
 * Cloud 2023.0.3, Spring Cloud Alibaba 2023.0.3.2, built from Maven Central): the Java app
 * discovers and calls a Silk service by name through Spring Cloud LoadBalancer, a Silk service
 * discovers and calls the Java app by name through ServiceClient, both read one shared dataId
 * and both follow an edit of it, and the two instances look alike in Nacos. The Java client
 * talks gRPC (9848) to Nacos, Silk the HTTP Open API; both land in the same service lists.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { nacos } from '@silk/stack/config';
import { buildJavaFixture, freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, type SilkService } from '../fastify/index.js';
import { ServiceClient } from '../http/index.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const silkName = `silk-interop-${process.pid}`;
const javaName = `sca-interop-app-${process.pid}`;
const sharedDataId = `silk-interop-shared-${process.pid}.yaml`;

let accessToken = '';
let javaPort = 0;
let java: JavaProcess | undefined;
let client: ServiceClient | undefined;

async function login(): Promise<string> {
  const res = await fetch(`${base}/v1/auth/users/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: nacos.username, password: nacos.password }),
  }).catch((err: unknown) => {
    throw new Error(`Nacos not reachable on ${serverAddr} — run \`pnpm stack up\` (${String(err)})`);
  });
  if (!res.ok)
    throw new Error(`Nacos login failed (${res.status}) — is the stack from \`pnpm stack up\` running?`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function publishShared(message: string): Promise<void> {
  const body = new URLSearchParams({
    dataId: sharedDataId,
    group: 'DEFAULT_GROUP',
    content: `silk:\n  interop:\n    message: ${message}\n`,
    type: 'yaml',
    accessToken,
  });
  expect(await (await fetch(`${base}/v1/cs/configs`, { method: 'POST', body })).text()).toBe('true');
}

interface ListedHost {
  instanceId: string;
  ip: string;
  port: number;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

async function hosts(serviceName: string): Promise<ListedHost[]> {
  const q = new URLSearchParams({ serviceName, groupName: 'DEFAULT_GROUP', accessToken });
  const res = await fetch(`${base}/v1/ns/instance/list?${q.toString()}`);
  return ((await res.json()) as { hosts: ListedHost[] }).hosts;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Waits for the Java app's actuator health to say UP, failing early if the JVM exits. */
async function waitForJava(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (java === undefined || java.exited) throw new Error(`the SCA app exited:\n${java?.output ?? ''}`);
    const up = await getJson(`http://127.0.0.1:${javaPort}/actuator/health`).catch(() => undefined);
    if ((up as { status?: string } | undefined)?.status === 'UP') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the SCA app was not UP within ${timeoutMs} ms:\n${java?.output ?? ''}`);
}

const schema = z.object({ silk: z.object({ interop: z.object({ message: z.string() }) }) });
let svc: SilkService<z.infer<typeof schema>>;
const silkUrl = (path: string) => `http://127.0.0.1:${svc.port()}${path}`;
const javaUrl = (path: string) => `http://127.0.0.1:${javaPort}${path}`;

// A cold ~/.m2 downloads Spring Boot, Spring Cloud and the Nacos client once; the JVM then
// needs ~10–15 s to start on two cores.
beforeAll(async () => {
  accessToken = await login();
  await publishShared('hello-from-nacos');
  const jar = buildJavaFixture('sca-app', 'sca-app.jar');

  svc = createService({
    name: silkName,
    configSchema: schema,
    cwd: mkdtempSync(`${tmpdir()}/silk-sca-interop-`),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      nacos: { serverAddr, username: nacos.username, password: nacos.password },
      config: { fileExtension: 'yaml', sharedConfigs: [{ dataId: sharedDataId, refresh: true }] },
      discovery: { ip: '127.0.0.1' },
    },
    routes: (app, ctx) => {
      client = new ServiceClient({ discovery: ctx.discovery, timeoutMs: 5_000 });
      const calls = client;
      app.get('/hello', () => ({ app: silkName, shared: ctx.config().silk.interop.message }));
      app.get('/call-java', async () => (await calls.call(`http://${javaName}/hello`)).json());
    },
  });
  await svc.start();

  javaPort = await freePort();
  java = spawnJava(jar, [
    `--server.port=${javaPort}`,
    `--spring.application.name=${javaName}`,
    `--spring.cloud.nacos.server-addr=${serverAddr}`,
    `--spring.cloud.nacos.username=${nacos.username}`,
    `--spring.cloud.nacos.password=${nacos.password}`,
    '--spring.cloud.nacos.discovery.ip=127.0.0.1',
    `--spring.config.import=optional:nacos:${sharedDataId}?refreshEnabled=true`,
    // The default LoadBalancer cache keeps a service's instance list for 35 s.
    '--spring.cloud.loadbalancer.cache.ttl=2s',
  ]);
  await waitForJava(120_000);
}, 600_000);

afterAll(async () => {
  await java?.stop(); // SIGTERM first: Spring deregisters from Nacos on a graceful shutdown
  await client?.close();
  await svc?.stop();
  if (accessToken) {
    const q = new URLSearchParams({ dataId: sharedDataId, group: 'DEFAULT_GROUP', accessToken });
    await fetch(`${base}/v1/cs/configs?${q.toString()}`, { method: 'DELETE' }).catch(() => undefined);
  }
}, 30_000);

describe('Java Spring Cloud Alibaba app ⇄ Silk service through Nacos', () => {
  it('the Java app discovers and calls the Silk service by name (Spring Cloud LoadBalancer)', async () => {
    await expect
      .poll(
        () => getJson(javaUrl(`/call?service=${silkName}&path=/hello`)).catch((e: unknown) => String(e)),
        {
          timeout: 30_000,
          interval: 500,
        },
      )
      .toEqual({ app: silkName, shared: 'hello-from-nacos' });
  });

  it('the Silk service discovers and calls the Java app by name (ServiceClient over NacosDiscovery)', async () => {
    await expect
      .poll(() => getJson(silkUrl('/call-java')).catch((e: unknown) => String(e)), {
        timeout: 30_000,
        interval: 500,
      })
      .toEqual({ app: javaName, shared: 'hello-from-nacos' });
  });

  it('both read the same shared dataId', async () => {
    const [j, s] = (await Promise.all([getJson(javaUrl('/hello')), getJson(silkUrl('/hello'))])) as {
      shared: string;
    }[];
    expect(j?.shared).toBe('hello-from-nacos');
    expect(s?.shared).toBe(j?.shared);
  });

  it('both follow an edit of the shared dataId', async () => {
    await publishShared('edited-in-nacos');
    const shared = async (url: string) => ((await getJson(url)) as { shared: string }).shared;
    await Promise.all([
      expect
        .poll(() => shared(silkUrl('/hello')), { timeout: 40_000, interval: 500 })
        .toBe('edited-in-nacos'),
      expect
        .poll(() => shared(javaUrl('/hello')), { timeout: 40_000, interval: 500 })
        .toBe('edited-in-nacos'),
    ]);
  });

  it('the Silk instance carries the same fields and metadata keys as the Java one', async () => {
    const [javaHost] = await hosts(javaName);
    const [silkHost] = await hosts(silkName);
    expect(javaHost).toBeDefined();
    expect(silkHost).toBeDefined();
    expect(javaHost?.metadata).toMatchObject({ 'preserved.register.source': 'SPRING_CLOUD' });
    expect(silkHost?.metadata).toEqual(javaHost?.metadata);
    expect(Object.keys(silkHost ?? {}).sort()).toEqual(Object.keys(javaHost ?? {}).sort());
    // Field for field, apart from what names this very instance.
    const shape = (h: ListedHost | undefined) => {
      const { instanceId: _i, port: _p, serviceName: _s, ...rest } = h ?? ({} as ListedHost);
      return rest;
    };
    expect(shape(silkHost)).toEqual(shape(javaHost));
    // The one visible difference: Nacos 3 builds the instanceId of a gRPC registration (the Java
    // client) with an empty cluster segment, `ip#port##group@@name`, and that of an HTTP Open API
    // registration (Silk) with the cluster, `ip#port#DEFAULT#group@@name`. Both list clusterName
    // DEFAULT; Spring Cloud does not parse the id.
    expect(javaHost?.instanceId).toMatch(
      new RegExp(`^127\\.0\\.0\\.1#${javaPort}#.*#DEFAULT_GROUP@@${javaName}$`),
    );
    expect(silkHost?.instanceId).toMatch(
      new RegExp(`^127\\.0\\.0\\.1#${svc.port()}#.*#DEFAULT_GROUP@@${silkName}$`),
    );
  });
});

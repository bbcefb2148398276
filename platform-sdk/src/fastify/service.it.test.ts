import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, type SilkService } from './index.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const name = `silk-starter-it-${process.pid}`;
let accessToken = '';

async function publish(content: string): Promise<void> {
  const body = new URLSearchParams({
    dataId: `${name}.yaml`,
    group: 'DEFAULT_GROUP',
    content,
    type: 'yaml',
    accessToken,
  });
  expect(await (await fetch(`${base}/v1/cs/configs`, { method: 'POST', body })).text()).toBe('true');
}

async function listedPorts(): Promise<number[]> {
  const q = new URLSearchParams({ serviceName: name, groupName: 'DEFAULT_GROUP', accessToken });
  const res = await fetch(`${base}/v1/ns/instance/list?${q.toString()}`);
  return ((await res.json()) as { hosts: { port: number; metadata: Record<string, string> }[] }).hosts.map(
    (h) => h.port,
  );
}

const schema = z.object({ greeting: z.string(), feature: z.object({ enabled: z.coerce.boolean() }) });
let svc: SilkService<z.infer<typeof schema>>;
const url = (path: string) => `http://127.0.0.1:${svc.port()}${path}`;

beforeAll(async () => {
  accessToken = await nacosLogin();
  await publish('greeting: hello\nfeature:\n  enabled: true\n');
  await new Promise((r) => setTimeout(r, 1500)); // let the publish reach Nacos' read cache

  svc = createService({
    name,
    configSchema: schema,
    cwd: mkdtempSync(`${tmpdir()}/silk-starter-`),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      nacos: { serverAddr, username: nacos.username, password: nacos.password },
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
    },
    routes: (app, ctx) => {
      app.get('/hello', () => ({ greeting: ctx.config().greeting }));
      app.get('/slow', async () => {
        await new Promise((r) => setTimeout(r, 800));
        return { done: true };
      });
    },
  });
  await svc.start();
}, 60_000);

afterAll(async () => {
  await svc?.stop();
});

describe('createService against the real Nacos', () => {
  it('comes up configured from Nacos, registered, and healthy', async () => {
    expect(await (await fetch(url('/hello'))).json()).toEqual({ greeting: 'hello' });
    await expect.poll(listedPorts, { timeout: 10_000 }).toContain(svc.port());
    const health = await fetch(url('/actuator/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'UP',
      components: { nacosConfig: { status: 'UP' }, nacosDiscovery: { status: 'UP' } },
    });
    expect((await fetch(url('/actuator/health/readiness'))).status).toBe(200);
  });

  it('a dataId edited in Nacos changes the running service; bad YAML keeps the last good and shows in health', async () => {
    await publish('greeting: bonjour\nfeature:\n  enabled: true\n');
    await expect
      .poll(async () => ((await (await fetch(url('/hello'))).json()) as { greeting: string }).greeting, {
        timeout: 40_000,
      })
      .toBe('bonjour');

    await publish('greeting: [broken\n');
    await expect
      .poll(async () => (await (await fetch(url('/actuator/health'))).json()) as Record<string, unknown>, {
        timeout: 40_000,
      })
      .toMatchObject({
        components: { nacosConfig: { details: { lastError: { code: 'SILK_CONFIG_INVALID' } } } },
      });
    expect(await (await fetch(url('/hello'))).json()).toEqual({ greeting: 'bonjour' });
  });

  it('stop deregisters from Nacos first and still answers the request in flight', async () => {
    const port = svc.port();
    const inFlight = fetch(url('/slow'));
    await new Promise((r) => setTimeout(r, 100));
    const stopped = svc.stop();
    // Deregistration runs before the server stops accepting, while /slow is still running.
    const deadline = Date.now() + 5_000;
    while (svc.registration()?.isRegistered && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(svc.registration()?.isRegistered).toBe(false);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toEqual({ done: true });
    await stopped;
    await expect.poll(listedPorts, { timeout: 10_000 }).not.toContain(port);
  });
});

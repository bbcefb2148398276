/**
 * Fault test, caused for real: the stack's Nacos is stopped while two Silk services call each
 * other by name, then started again. The services must keep serving from their caches, and
 * be listed in Nacos again afterwards without being restarted. Needs a Nacos the stack owns
 * (`pnpm stack up`), since it stops and starts that process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { nacos } from '@silk/stack/config';
import { nacosLogin, nacosServer } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceClient } from '../http/index.js';
import { createService, type CreateServiceOptions, type SilkService } from './index.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const run = process.pid;
const schema = z.object({}).passthrough();
type Config = z.infer<typeof schema>;

function service(name: string, routes: CreateServiceOptions<Config>['routes']): SilkService<Config> {
  return createService({
    name,
    configSchema: schema,
    cwd: mkdtempSync(`${tmpdir()}/silk-outage-`),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      nacos: { serverAddr, username: nacos.username, password: nacos.password },
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
    },
    routes,
  });
}

async function listedPorts(name: string): Promise<number[]> {
  const q = new URLSearchParams({
    serviceName: name,
    groupName: 'DEFAULT_GROUP',
    accessToken: await nacosLogin(),
  });
  const res = await fetch(`${base}/v1/ns/instance/list?${q.toString()}`);
  return ((await res.json()) as { hosts: { port: number }[] }).hosts.map((h) => h.port);
}

const nameB = `silk-outage-b-${run}`;
let a: SilkService<Config>;
let b: SilkService<Config>;
let client: ServiceClient;

beforeAll(async () => {
  const status = await nacosServer.status();
  if (!status.healthy || !status.ownedByStack) {
    throw new Error(
      `this fault test stops and restarts Nacos, so it needs one the stack started — run \`pnpm stack up\` (${status.detail})`,
    );
  }
  b = service(nameB, (app) => {
    app.get('/ping', () => 'pong');
  });
  await b.start();
  a = service(`silk-outage-a-${run}`, (app, ctx) => {
    client = new ServiceClient({ discovery: ctx.discovery, timeoutMs: 2000 });
    app.get('/call-b', async () => (await client.call(`http://${nameB}/ping`)).text());
  });
  await a.start();
}, 120_000);

afterAll(async () => {
  // Whatever happened, leave Nacos running for the tests after this one.
  if (!(await nacosServer.status()).healthy) await nacosServer.start();
  await client?.close();
  await a?.stop();
  await b?.stop();
}, 240_000);

describe('Nacos outage', () => {
  it(
    'services keep calling each other while Nacos is down and are listed again when it is back',
    { timeout: 240_000 },
    async () => {
      const callB = async () => (await fetch(`http://127.0.0.1:${a.port()}/call-b`)).text();
      await expect.poll(callB, { timeout: 20_000 }).toBe('pong');

      await nacosServer.stop();
      expect((await nacosServer.status()).healthy).toBe(false);
      for (let i = 0; i < 10; i++) expect(await callB()).toBe('pong');
      expect((await fetch(`http://127.0.0.1:${b.port()}/ping`)).status).toBe(200);

      await nacosServer.start();
      // Ephemeral instances do not survive a Nacos restart; both services must come back by
      // themselves (heartbeats carrying the instance, and the registration's reconcile loop).
      await expect.poll(() => listedPorts(nameB), { timeout: 60_000, interval: 1000 }).toContain(b.port());
      await expect
        .poll(() => listedPorts(`silk-outage-a-${run}`), { timeout: 60_000, interval: 1000 })
        .toContain(a.port());
      // A restarted Nacos briefly (and truly) lists b with no instances, until b's heartbeat
      // re-registers it; a's cache may take that empty list and then the re-registration on its
      // next refresh (every 5 s), so a call succeeds again within a refresh, not necessarily at once.
      await expect.poll(callB, { timeout: 15_000, interval: 500 }).toBe('pong');
    },
  );
});

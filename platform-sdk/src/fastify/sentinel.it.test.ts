/**
 * Sentinel rules in Nacos, read as spring-cloud-alibaba's Sentinel data source reads them
 * (`spring.cloud.sentinel.datasource.<name>.nacos`): an operator's edit of the dataId changes
 * what a running Silk service admits, a bad document keeps the rules in force and says why in
 * health, and deleting the dataId clears the rules.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deleteConfig, publishConfig, testBootstrap } from './fixtures/test-support.js';
import { createService, type SilkService } from './index.js';

const name = `silk-sentinel-it-${process.pid}`;
const dataId = `${name}-flow-rules`;
const group = 'SENTINEL_GROUP';
const schema = z.object({}).passthrough();
let svc: SilkService<z.infer<typeof schema>>;
const url = (path: string) => `http://127.0.0.1:${svc.port()}${path}`;

/** Status codes of `n` requests sent one after another. */
async function statuses(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fetch(url('/hello'))).status);
  return out;
}

interface SentinelHealth {
  components: { sentinel: { details: { dataSource: Record<string, { rules?: number; error?: string }> } } };
}

async function sourceStatus(): Promise<{ rules?: number; error?: string } | undefined> {
  const h = (await (await fetch(url('/actuator/health'))).json()) as SentinelHealth;
  return h.components.sentinel.details.dataSource['flow-ds/flow'];
}

/** Stands where the Sentinel dashboard would: records the heartbeats it receives. */
const beats: URLSearchParams[] = [];
let dashboard: Server;

beforeAll(async () => {
  dashboard = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/registry/machine') beats.push(new URLSearchParams(body));
      res.end('success');
    });
  });
  await new Promise<void>((r) => dashboard.listen(0, '127.0.0.1', r));
  const dashboardAddr = `127.0.0.1:${(dashboard.address() as AddressInfo).port}`;
  await publishConfig(dataId, group, JSON.stringify([{ resource: '/hello', count: 0 }]), 'json');
  await new Promise((r) => setTimeout(r, 1500)); // let the publish reach Nacos' read cache
  svc = createService({
    name,
    configSchema: schema,
    cwd: mkdtempSync(`${tmpdir()}/silk-sentinel-`),
    handleSignals: false,
    bootstrap: testBootstrap({
      sentinel: {
        appName: name,
        enabled: true,
        transport: { dashboard: dashboardAddr, port: 0, clientIp: '127.0.0.1', heartbeatIntervalMs: 500 },
        datasources: [{ name: 'flow-ds', ruleType: 'flow', nacos: { dataId, groupId: group } }],
      },
    }),
    routes: (app) => {
      app.get('/hello', () => ({ hello: 'world' }));
    },
  });
  await svc.start();
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await new Promise((r) => dashboard?.close(r));
  await deleteConfig(dataId, group);
});

describe('Sentinel rules from Nacos in a running service', () => {
  it('enforces the rule it read at start', async () => {
    expect(await statuses(2)).toEqual([429, 429]);
    expect(await sourceStatus()).toEqual({ rules: 1 });
  });

  it('follows an edit of the dataId while the service runs', async () => {
    await publishConfig(dataId, group, JSON.stringify([{ resource: '/hello', count: 1000 }]), 'json');
    await expect.poll(() => statuses(1), { timeout: 30_000, interval: 300 }).toEqual([200]);
    expect(svc.sentinel.flowRules.getRules()[0]?.count).toBe(1000);
  });

  it('keeps the rules in force when the document is not JSON, and says why in health', async () => {
    await publishConfig(dataId, group, '[{"resource": "/hello", "count": ', 'json');
    await expect
      .poll(async () => (await sourceStatus())?.error ?? '', { timeout: 30_000, interval: 300 })
      .toMatch(/unreadable flow rules/);
    expect(await statuses(3)).toEqual([200, 200, 200]);
    expect(svc.sentinel.flowRules.getRules()[0]?.count).toBe(1000);
  });

  it('rejects a bad rule alone and applies the good one beside it', async () => {
    const rules = [
      { resource: '/hello', count: 1 },
      { resource: '/hello', count: -5 },
    ];
    await publishConfig(dataId, group, JSON.stringify(rules), 'json');
    await expect
      .poll(() => sourceStatus(), { timeout: 30_000, interval: 300 })
      .toEqual({ rules: 1, rejected: [expect.stringMatching(/count/)] });
    expect(svc.sentinel.flowRules.getRules().map((r) => r.count)).toEqual([1]);
  });

  it('clears the rules when the dataId is deleted', async () => {
    await publishConfig(dataId, group, JSON.stringify([{ resource: '/hello', count: 0 }]), 'json');
    const counts = () => svc.sentinel.flowRules.getRules().map((r) => r.count);
    await expect.poll(counts, { timeout: 30_000, interval: 300 }).toEqual([0]);
    expect(await statuses(1)).toEqual([429]);
    await deleteConfig(dataId, group);
    await expect.poll(counts, { timeout: 30_000, interval: 300 }).toEqual([]);
    expect(await statuses(3)).toEqual([200, 200, 200]);
  });

  it('heartbeats to the dashboard and takes rules pushed to its command port', async () => {
    await expect.poll(() => beats.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const beat = Object.fromEntries(beats.at(-1)!);
    expect(beat).toMatchObject({ app: name, app_type: '0', ip: '127.0.0.1', v: '1.8.9' });
    const command = `http://127.0.0.1:${beat.port}`;
    // What the dashboard does when an operator saves a flow rule for this machine.
    const data = JSON.stringify([{ resource: '/hello', count: 0, grade: 1, limitApp: 'default' }]);
    const res = await fetch(`${command}/setRules`, {
      method: 'POST',
      body: new URLSearchParams({ type: 'flow', data }),
    });
    expect(await res.text()).toBe('success');
    expect(await statuses(2)).toEqual([429, 429]);
    const rules = (await (await fetch(`${command}/getRules?type=flow`)).json()) as { resource: string }[];
    expect(rules.map((r) => r.resource)).toEqual(['/hello']);
    const now = Date.now();
    await new Promise((r) => setTimeout(r, 1100)); // the second just used must complete
    const metric = await (
      await fetch(`${command}/metric?startTime=${now - 5000}&endTime=${Date.now()}`)
    ).text();
    expect(metric).toMatch(/^\d+\|\/hello\|\d+\|[1-9]\d*\|\d+\|\d+\|\d+\|\d+\|\d+\|1$/m);
  });
});

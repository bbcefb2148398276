/**
 * A Silk service in the real Sentinel dashboard: the stack's optional dashboard
 * (com.alibaba.csp:sentinel-dashboard 0.1.1, started here when it is not running) lists the
 * service after its heartbeats, reads its flow rules and resources through the command port,
 * and a rule added in the dashboard reaches the service's engine.
 *
 * 0.1.1's API, read from its controllers: `/app/briefinfos.json` (apps and machines),
 * `/flow/rules.json?app&ip&port` (reads `getRules?type=flow` from the machine),
 * `/flow/new.json` (adds a rule, then `setRules` on the machine), `/resource/machineResource.json`
 * (the machine's `jsonTree`). Every answer is `{"code":0,"msg":"success","data":...}`. No login.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { startSentinelDashboard } from '@silk/stack/sentinel-dashboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, type SilkService } from '../fastify/index.js';

const app = `silk-dashboard-it-${process.pid}`;
let dashboard = '';
let svc: SilkService<Record<string, unknown>>;
let commandPort = 0;

interface Result<T> {
  code: number;
  msg: string;
  data: T;
}

async function dashboardGet<T>(path: string, params: Record<string, string | number>): Promise<Result<T>> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${dashboard}${path}?${q.toString()}`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as Result<T>;
}

interface AppInfo {
  app: string;
  machines: { ip: string; port: number; hostname: string }[];
}

beforeAll(async () => {
  dashboard = await startSentinelDashboard();
  svc = createService({
    name: app,
    configSchema: z.record(z.string(), z.unknown()),
    cwd: mkdtempSync(join(tmpdir(), 'silk-dashboard-it-')),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      nacos: { serverAddr: `127.0.0.1:${nacos.port}`, username: nacos.username, password: nacos.password },
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
      sentinel: {
        appName: app,
        enabled: true,
        transport: { dashboard: dashboard.replace('http://', ''), port: 0, clientIp: '127.0.0.1', heartbeatIntervalMs: 1000 },
        datasources: [],
      },
    },
    routes: (a) => void a.get('/hello', () => ({ hello: app })),
  });
  await svc.start();
  const health = (await svc.app.inject('/actuator/health')).json<{
    components: { sentinel: { details: { commandPort: number } } };
  }>();
  commandPort = health.components.sentinel.details.commandPort;
  svc.sentinel.flowRules.loadRules([{ resource: '/hello', count: 5 }]);
  await svc.app.inject('/hello');
}, 180_000);

afterAll(async () => {
  await svc?.stop();
}, 30_000);

describe('a Silk service in the Sentinel dashboard 0.1.1', () => {
  it('is listed under its app name with its command port, after its heartbeats', async () => {
    await expect
      .poll(async () => (await dashboardGet<AppInfo[]>('/app/briefinfos.json', {})).data.find((a) => a.app === app)?.machines ?? [], {
        timeout: 15_000,
        interval: 500,
      })
      .toEqual([expect.objectContaining({ ip: '127.0.0.1', port: commandPort })]);
  });

  it('reads the service\'s flow rules and resources through the command port', async () => {
    const rules = await dashboardGet<{ resource: string; count: number; app: string }[]>('/flow/rules.json', { app, ip: '127.0.0.1', port: commandPort });
    expect(rules.code).toBe(0);
    expect(rules.data).toEqual([expect.objectContaining({ app, resource: '/hello', count: 5 })]);
    const tree = await dashboardGet<unknown>('/resource/machineResource.json', { ip: '127.0.0.1', port: commandPort, type: 'root' });
    expect(JSON.stringify(tree.data)).toContain('/hello');
  });

  it('pushes a rule added in the dashboard into the service\'s engine', async () => {
    const added = await dashboardGet<unknown>('/flow/new.json', {
      app,
      ip: '127.0.0.1',
      port: commandPort,
      resource: '/added',
      limitApp: 'default',
      grade: 1,
      count: 7,
      strategy: 0,
      controlBehavior: 0,
    });
    expect(added.code, JSON.stringify(added)).toBe(0);
    await expect
      .poll(() => svc.sentinel.flowRules.getRules().map((r) => `${r.resource}:${r.count}`).sort(), { timeout: 10_000 })
      .toEqual(['/added:7', '/hello:5']);
  });
});

/**
 * The dashboard protocol, Silk beside Java: a Java app on Sentinel 1.8.9 with the stock
 * sentinel-transport-simple-http (interop/java/sentinel-transport-app) and a Silk engine with
 * the same rules and the same trickle of traffic both heartbeat to one recording endpoint and
 * answer the same commands; what the dashboard reads from each must agree.
 *
 * The Sentinel dashboard itself is not on Maven Central (only its 0.1.1 from 2018 is), so the
 * endpoint stands where the dashboard would; the Java client is the real reference.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildJavaFixture, freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSentinel, type Sentinel } from '../sentinel/index.js';
import { DashboardTransport } from './index.js';

const javaApp = `java-transport-${process.pid}`;
const silkApp = `silk-transport-${process.pid}`;
const beats = new Map<string, URLSearchParams>();
let dashboard: Server;
let java: JavaProcess | undefined;
let sentinel: Sentinel;
let silk: DashboardTransport;
let traffic: ReturnType<typeof setInterval> | undefined;

const rules = {
  flow: [{ resource: '/hello', count: 1 }],
  degrade: [{ resource: '/hello', grade: 2, count: 3, timeWindow: 5 }],
};

beforeAll(async () => {
  dashboard = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/registry/machine') {
        const p = new URLSearchParams(body);
        beats.set(p.get('app') ?? '', p);
      }
      res.end('success');
    });
  });
  await new Promise<void>((r) => dashboard.listen(0, '127.0.0.1', r));
  const dashboardAddr = `127.0.0.1:${(dashboard.address() as AddressInfo).port}`;

  const jar = buildJavaFixture('sentinel-transport-app', 'sentinel-transport-app.jar');
  java = spawnJava(
    jar,
    [],
    [
      `-Dproject.name=${javaApp}`,
      `-Dcsp.sentinel.dashboard.server=${dashboardAddr}`,
      `-Dcsp.sentinel.api.port=${await freePort()}`,
      '-Dcsp.sentinel.heartbeat.client.ip=127.0.0.1',
      '-Dcsp.sentinel.heartbeat.interval.ms=1000',
      `-Dcsp.sentinel.log.dir=${mkdtempSync(`${tmpdir()}/sentinel-logs-`)}`,
    ],
  );
  await java.waitForOutput(/READY (\d+)/, 60_000);

  sentinel = createSentinel();
  sentinel.flowRules.loadRules(rules.flow);
  sentinel.degradeRules.loadRules(rules.degrade);
  const context = sentinel.context('sentinel_spring_web_context', '');
  traffic = setInterval(() => {
    const e = sentinel.entry('/hello', { context, entryType: 'IN', resourceType: 1 });
    if (!e.blocked) setTimeout(() => e.exit(), 5);
  }, 200);
  silk = new DashboardTransport({
    sentinel,
    appName: silkApp,
    dashboard: dashboardAddr,
    port: 0,
    host: '127.0.0.1',
    clientIp: '127.0.0.1',
    heartbeatIntervalMs: 1000,
  });
  await silk.start();
  for (let waited = 0; !(beats.has(javaApp) && beats.has(silkApp)); waited += 100) {
    if (waited > 30_000)
      throw new Error(`no heartbeat from both apps in 30 s; got ${[...beats.keys()].join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 600_000);

afterAll(async () => {
  clearInterval(traffic);
  await silk?.stop();
  sentinel?.close();
  await java?.stop();
  await new Promise((r) => dashboard?.close(r));
});

const portOf = (app: string): string => beats.get(app)!.get('port')!;
async function ask(
  app: string,
  command: string,
  init?: RequestInit,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${portOf(app)}/${command}`, init);
  return { status: res.status, body: await res.text() };
}
async function both(command: string, init?: RequestInit) {
  return { java: await ask(javaApp, command, init), silk: await ask(silkApp, command, init) };
}
const keysOf = (rows: Record<string, unknown>[]): string[] => [...new Set(rows.flatMap(Object.keys))].sort();

describe('Sentinel dashboard protocol: Silk answers as the Java transport does', () => {
  it('heartbeats with the same parameters', () => {
    const j = beats.get(javaApp)!;
    const s = beats.get(silkApp)!;
    expect([...s.keys()].sort()).toEqual([...j.keys()].sort());
    for (const k of ['app_type', 'ip', 'v']) expect(s.get(k)).toBe(j.get(k));
  });

  it('reports the same version and refuses unknown commands alike', async () => {
    const v = await both('version');
    expect(v.silk).toEqual(v.java);
    const unknown = await both('no-such-command');
    expect(unknown.silk).toEqual(unknown.java);
  });

  it('returns the same rule JSON for every rule type', async () => {
    for (const type of ['flow', 'degrade', 'system', 'authority']) {
      const r = await both(`getRules?type=${type}`);
      expect(r.silk.status, type).toBe(r.java.status);
      expect(JSON.parse(r.silk.body), type).toEqual(JSON.parse(r.java.body));
    }
    const p = await both('getParamFlowRules');
    expect(JSON.parse(p.silk.body)).toEqual(JSON.parse(p.java.body));
  });

  it('takes a rule set pushed by form POST and then reports the same rules', async () => {
    const data = JSON.stringify([
      { resource: '/hello', count: 7, grade: 1, limitApp: 'default', strategy: 0 },
    ]);
    const init = (): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ type: 'flow', data }).toString(),
    });
    const set = {
      java: await ask(javaApp, 'setRules', init()),
      silk: await ask(silkApp, 'setRules', init()),
    };
    expect(set.silk).toEqual(set.java);
    const r = await both('getRules?type=flow');
    expect(JSON.parse(r.silk.body)).toEqual(JSON.parse(r.java.body));
  });

  it('lists resources and the call tree with the same fields', async () => {
    const nodes = await both('clusterNode');
    const jn = JSON.parse(nodes.java.body) as Record<string, unknown>[];
    const sn = JSON.parse(nodes.silk.body) as Record<string, unknown>[];
    expect(keysOf(sn)).toEqual(keysOf(jn));
    expect(sn.map((n) => n.resource)).toEqual(expect.arrayContaining(['/hello']));
    const tree = await both('jsonTree');
    const jt = JSON.parse(tree.java.body) as Record<string, unknown>[];
    const st = JSON.parse(tree.silk.body) as Record<string, unknown>[];
    expect(keysOf(st)).toEqual(keysOf(jt));
    expect(new Set(st.map((n) => n.resource))).toEqual(new Set(jt.map((n) => n.resource)));
  });

  it('serves metric lines of the same shape for the same seconds', async () => {
    const end = Date.now() - 1000;
    const q = `metric?startTime=${end - 4000}&endTime=${end}&refetch=false`;
    // Java writes each second to its metric log a little after the second ends.
    await new Promise((r) => setTimeout(r, 2500));
    const m = await both(q);
    const parse = (body: string) =>
      body
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('|'));
    const jl = parse(m.java.body);
    const sl = parse(m.silk.body);
    expect(jl.length).toBeGreaterThan(0);
    expect(sl.length).toBeGreaterThan(0);
    for (const line of [...jl, ...sl]) expect(line).toHaveLength(10);
    const hello = (lines: string[][]) => lines.filter((l) => l[1] === '/hello').map((l) => l[9]);
    // Same resource, same classification (web), in both.
    expect(new Set(hello(sl))).toEqual(new Set(hello(jl)));
  });
});

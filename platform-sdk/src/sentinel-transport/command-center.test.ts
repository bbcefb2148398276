import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSentinel, ManualClock } from '../sentinel/index.js';
import { DashboardTransport, SENTINEL_PROTOCOL_VERSION } from './index.js';

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.stop()));
});

async function transport(
  sentinel = createSentinel({ clock: new ManualClock(1_000_000) }),
  dashboard?: string,
) {
  const t = new DashboardTransport({
    sentinel,
    appName: 'order-service',
    port: 0,
    host: '127.0.0.1',
    clientIp: '127.0.0.1',
    ...(dashboard ? { dashboard } : {}),
  });
  await t.start();
  open.push(t);
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(`http://127.0.0.1:${t.port}/${path}`, init);
    return { status: res.status, body: await res.text() };
  };
  return { t, sentinel, call };
}

describe('Sentinel dashboard command server', () => {
  it('answers version, basicInfo and api as the Java transport does', async () => {
    const { call } = await transport();
    expect(await call('version')).toEqual({ status: 200, body: SENTINEL_PROTOCOL_VERSION });
    const info = JSON.parse((await call('basicInfo')).body) as Record<string, string>;
    expect(info).toMatchObject({ ip: '127.0.0.1' });
    const api = JSON.parse((await call('api')).body) as { url: string }[];
    expect(api.map((a) => a.url)).toEqual(expect.arrayContaining(['/getRules', '/setRules', '/metric']));
    expect(await call('nope')).toEqual({ status: 400, body: 'Unknown command `nope`' });
  });

  it('sets rules by form POST and reads them back in the Java field names', async () => {
    const { call, sentinel } = await transport();
    const data = JSON.stringify([{ resource: 'GET:/orders', count: 5, grade: 1 }]);
    const res = await call('setRules', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ type: 'flow', data }).toString(),
    });
    expect(res).toEqual({ status: 200, body: 'success' });
    expect(sentinel.flowRules.getRules().map((r) => r.count)).toEqual([5]);
    const back = JSON.parse((await call('getRules?type=flow')).body) as Record<string, unknown>[];
    expect(back[0]).toMatchObject({
      resource: 'GET:/orders',
      count: 5,
      grade: 1,
      limitApp: 'default',
      strategy: 0,
    });
    expect((await call('getRules?type=bogus')).status).toBe(400);
  });

  it('refuses a rule document that is not JSON and keeps the rules in force', async () => {
    const { call, sentinel } = await transport();
    sentinel.degradeRules.loadRules([{ resource: 'r', grade: 2, count: 3, timeWindow: 5 }]);
    const res = await call(`setRules?type=degrade&data=${encodeURIComponent('[{"resource":')}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/invalid rules/);
    expect(sentinel.degradeRules.getRules()).toHaveLength(1);
  });

  it('serves per-second metric lines in the thin format the dashboard parses', async () => {
    const clock = new ManualClock(1_000_000);
    const sentinel = createSentinel({ clock });
    sentinel.flowRules.loadRules([{ resource: 'a|b', count: 2 }]);
    for (let i = 0; i < 3; i++) {
      const e = sentinel.entry('a|b');
      if (!e.blocked) {
        clock.advance(10);
        e.exit();
      }
    }
    clock.advance(2000);
    const { call } = await transport(sentinel);
    const body = (await call('metric?startTime=999000&endTime=1002000&refetch=false')).body;
    const lines = body.trim().split('\n');
    expect(lines).toEqual(['1000000|a_b|2|1|2|0|10|0|0|0']);
    expect((await call('metric')).body).toBe('');
  });

  it('lists cluster nodes and the call tree as NodeVo objects', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.runInContext('sentinel_spring_web_context', '', () => {
      const e = sentinel.entry('/orders', { entryType: 'IN' });
      if (!e.blocked) e.exit();
    });
    const { call } = await transport(sentinel);
    const nodes = JSON.parse((await call('clusterNode')).body) as Record<string, unknown>[];
    expect(nodes).toEqual([expect.objectContaining({ resource: '/orders', passQps: 1, oneMinuteTotal: 1 })]);
    const tree = JSON.parse((await call('jsonTree')).body) as { resource: string; parentId: string | null }[];
    // The default context always exists under the root, as in Java.
    expect(tree.map((n) => n.resource)).toEqual([
      'machine-root',
      'sentinel_default_context',
      'sentinel_spring_web_context',
      '/orders',
    ]);
    expect(tree[3]?.parentId).toBe((tree[2] as unknown as { id: string }).id);
  });

  it('heartbeats to the dashboard with the Java parameters, and moves on from a dead address', async () => {
    const beats: URLSearchParams[] = [];
    const dashboard: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url === '/registry/machine' && req.method === 'POST') beats.push(new URLSearchParams(body));
        res.end('success');
      });
    });
    await new Promise<void>((r) => dashboard.listen(0, '127.0.0.1', r));
    open.push({ stop: () => new Promise((r) => dashboard.close(() => r())) });
    const port = (dashboard.address() as AddressInfo).port;
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const dead = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { t } = await transport(undefined, `127.0.0.1:${dead},127.0.0.1:${port}`);
    // A beat to the dead address fails and moves the transport on to the live one.
    const results = [await t.sendHeartbeat(), await t.sendHeartbeat()];
    expect(results).toContain(true);
    const beat = beats.at(-1)!;
    expect(Object.fromEntries(beat)).toMatchObject({
      app: 'order-service',
      app_type: '0',
      ip: '127.0.0.1',
      port: String(t.port),
      v: SENTINEL_PROTOCOL_VERSION,
    });
    expect([...beat.keys()].sort()).toEqual(['app', 'app_type', 'hostname', 'ip', 'port', 'v', 'version']);
  });
});

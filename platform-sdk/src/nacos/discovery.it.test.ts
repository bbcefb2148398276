import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { afterAll, describe, expect, it } from 'vitest';
import { NacosDiscovery, NacosRegistration, type NacosConnection } from './index.js';

const connection: NacosConnection = {
  serverAddr: `127.0.0.1:${nacos.port}`,
  username: nacos.username,
  password: nacos.password,
};
const service = `silk-disc-it-${process.pid}`;
const snapshotDir = mkdtempSync(join(tmpdir(), 'silk-naming-snapshot-'));
const stops: { stop(): unknown }[] = [];

afterAll(async () => {
  for (const s of stops.reverse()) await s.stop();
});

async function register(port: number, clusterName = 'DEFAULT'): Promise<NacosRegistration> {
  const r = new NacosRegistration({ service, port, ip: '127.0.0.1', clusterName, connection });
  stops.push(r);
  await r.start().catch((err: unknown) => {
    throw new Error(
      `Nacos not reachable on ${connection.serverAddr} — run \`pnpm stack up\` (${String(err)})`,
    );
  });
  return r;
}

describe('NacosDiscovery against the real Nacos', () => {
  it('finds registered instances, follows changes, prefers its own cluster', async () => {
    await register(19001, 'HZ');
    const discovery = new NacosDiscovery({ connection, snapshotDir, clusterName: 'SH' });
    stops.push(discovery);
    await expect
      .poll(async () => (await discovery.getInstances(service)).length, { timeout: 15_000 })
      .toBe(1);

    // A new instance in our own cluster reaches us through the subscription, and is preferred.
    await register(19002, 'SH');
    await expect
      .poll(async () => (await discovery.getInstances(service)).length, { timeout: 20_000 })
      .toBe(2);
    for (let i = 0; i < 10; i++) expect((await discovery.choose(service))?.port).toBe(19002);
  });

  it('starts from the disk snapshot when Nacos cannot be reached', async () => {
    const offline = new NacosDiscovery({
      // Nothing listens on port 1: every call to "Nacos" fails to connect.
      connection: { ...connection, serverAddr: '127.0.0.1:1' },
      snapshotDir,
      lookupTimeoutMs: 1000,
    });
    stops.push(offline);
    const ports = (await offline.getInstances(service)).map((i) => i.port).sort();
    expect(ports).toEqual([19001, 19002]);
    expect((await offline.choose(service))?.ip).toBe('127.0.0.1');
  });
});

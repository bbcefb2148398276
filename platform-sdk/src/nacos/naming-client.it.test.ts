/**
 * NacosNamingClient against the real Nacos (auth on): what it registers is what Nacos lists,
 * its heartbeat restores an instance Nacos dropped, a subscription hears of a change, and
 * after deregistering no heartbeat brings the instance back.
 */
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamingClient, type NacosHost } from './index.js';

const base = `http://127.0.0.1:${nacos.port}${nacos.contextPath}`;
const service = `silk-naming-it-${process.pid}`;
const group = 'DEFAULT_GROUP';
const instance = {
  ip: '127.0.0.1',
  port: 40000 + (process.pid % 20000),
  weight: 2,
  clusterName: 'DEFAULT',
  ephemeral: true,
  enabled: true,
  healthy: true,
  metadata: { 'preserved.register.source': 'SPRING_CLOUD', run: String(process.pid) },
};
const client = createNamingClient({
  serverAddr: `127.0.0.1:${nacos.port}`,
  username: nacos.username,
  password: nacos.password,
});
let accessToken = '';

async function listed(): Promise<NacosHost[]> {
  const q = new URLSearchParams({ serviceName: service, groupName: group, accessToken });
  const res = await fetch(`${base}/v1/ns/instance/list?${q.toString()}`);
  return ((await res.json()) as { hosts?: NacosHost[] }).hosts ?? [];
}

beforeAll(async () => {
  accessToken = await nacosLogin();
});

afterAll(async () => {
  await client.deregisterInstance(service, instance, group).catch(() => undefined);
  await client.close();
});

describe('NacosNamingClient on the real Nacos', () => {
  it('registers the instance with its weight and metadata, and lists it', async () => {
    await client.registerInstance(service, instance, group);
    await expect
      .poll(listed, { timeout: 5000 })
      .toMatchObject([
        {
          ip: instance.ip,
          port: instance.port,
          weight: 2,
          clusterName: 'DEFAULT',
          metadata: instance.metadata,
        },
      ]);
    expect((await client.getAllInstances(service, group, '', false)).map((h) => h.port)).toEqual([
      instance.port,
    ]);
  });

  it('hands a subscriber the list, and restores a dropped instance with its next heartbeat', async () => {
    const seen: number[] = [];
    const listener = (hosts: NacosHost[]) => seen.push(hosts.length);
    client.subscribe({ serviceName: service, groupName: group }, listener);
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([1]);
    // Nacos forgets the instance (as after a restart of the server)...
    const q = new URLSearchParams({
      serviceName: service,
      groupName: group,
      ip: instance.ip,
      port: String(instance.port),
      ephemeral: 'true',
      accessToken,
    });
    await (await fetch(`${base}/v1/ns/instance?${q.toString()}`, { method: 'DELETE' })).text();
    await expect.poll(async () => (await listed()).length, { timeout: 3000 }).toBe(0);
    // ...and the heartbeat, which carries the whole instance, puts it back within one period.
    await expect.poll(async () => (await listed()).length, { timeout: 8000, interval: 250 }).toBe(1);
    client.unSubscribe({ serviceName: service, groupName: group }, listener);
  });

  it('stays gone after deregistering: no heartbeat re-creates it', async () => {
    await client.deregisterInstance(service, instance, group);
    await expect.poll(async () => (await listed()).length, { timeout: 3000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 6000)); // longer than one heartbeat period
    expect(await listed()).toEqual([]);
  });
});

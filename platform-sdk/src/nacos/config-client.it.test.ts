/**
 * NacosConfigClient against the real Nacos (auth on): token login, reads, a dataId followed
 * while a poll is in flight, and an outage caused for real without touching the shared server —
 * the client reaches Nacos through a TCP relay owned by the test, and the relay is cut (every
 * socket destroyed, the port closed) and later reopened on the same port.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NACOS_ERROR_CODES, NacosConfigClient } from './index.js';

const base = `http://127.0.0.1:${nacos.port}${nacos.contextPath}`;
const run = `silk-cfgc-it-${process.pid}`;
const group = 'DEFAULT_GROUP';
let accessToken = '';

async function publish(dataId: string, content: string): Promise<void> {
  const body = new URLSearchParams({ dataId, group, content, type: 'text', accessToken });
  const res = await fetch(`${base}/v1/cs/configs`, { method: 'POST', body });
  expect(await res.text()).toBe('true');
}

async function remove(dataId: string): Promise<void> {
  const q = new URLSearchParams({ dataId, group, accessToken });
  await (await fetch(`${base}/v1/cs/configs?${q.toString()}`, { method: 'DELETE' })).text();
}

/** A TCP relay to Nacos that the test can cut and reopen on the same port. */
class Relay {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async open(): Promise<void> {
    const server = createServer((down) => {
      const up = connect(nacos.port, '127.0.0.1');
      for (const s of [down, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      down.pipe(up).pipe(down);
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.server = server;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server?.close(r));
  }
}

const dataIds = { a: `${run}-a.properties`, b: `${run}-b.properties`, none: `${run}-none.properties` };
const relay = new Relay();
let client: NacosConfigClient;

beforeAll(async () => {
  accessToken = await nacosLogin();
  await publish(dataIds.a, 'v=1');
  await publish(dataIds.b, 'w=1');
  await relay.open();
  client = new NacosConfigClient({
    connection: { serverAddr: `127.0.0.1:${relay.port}`, username: nacos.username, password: nacos.password },
    cacheDir: mkdtempSync(join(tmpdir(), 'silk-nacos-cfgc-')),
    requestTimeoutMs: 2000,
  });
  // A fresh publish is readable within a moment.
  const deadline = Date.now() + 10_000;
  while ((await client.getConfig(dataIds.a, group)) !== 'v=1') {
    if (Date.now() > deadline) throw new Error(`published ${dataIds.a} never became readable`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  client?.close();
  await relay.cut().catch(() => undefined);
  await Promise.all(Object.values(dataIds).map(remove));
});

describe('NacosConfigClient on the real Nacos', () => {
  it('reads with a token and says none for a dataId Nacos does not have', async () => {
    expect(await client.getConfig(dataIds.b, group)).toBe('w=1');
    expect(await client.getConfig(dataIds.none, group)).toBeUndefined();
  });

  it('hands each change to the listener, also for a dataId followed while a poll waits', async () => {
    const seenA: (string | undefined)[] = [];
    const seenB: (string | undefined)[] = [];
    const offA = client.subscribe(dataIds.a, group, (c) => seenA.push(c), { content: 'v=1' });
    // Let the first poll settle in to wait, then follow b: it must not wait for that poll to end.
    await new Promise((r) => setTimeout(r, 300));
    const offB = client.subscribe(dataIds.b, group, (c) => seenB.push(c), { content: 'w=1' });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await publish(dataIds.b, 'w=2');
    await expect.poll(() => seenB, { timeout: 5000, interval: 20 }).toEqual(['w=2']);
    expect(Date.now() - t0).toBeLessThan(5000);
    await publish(dataIds.a, 'v=2');
    await expect.poll(() => seenA, { timeout: 5000, interval: 20 }).toEqual(['v=2']);
    offA();
    offB();
  });

  it('serves snapshots while Nacos is cut off, and catches up on what changed meanwhile', async () => {
    const seen: (string | undefined)[] = [];
    const off = client.subscribe(dataIds.a, group, (c) => seen.push(c), { content: 'v=2' });
    await relay.cut();
    expect(await client.getConfig(dataIds.a, group)).toBe('v=2');
    expect(await client.getConfig(dataIds.none, group)).toBeUndefined();
    await expect(client.getConfig(`${run}-never-read`, group)).rejects.toMatchObject({
      code: NACOS_ERROR_CODES.configUnavailable,
    });
    await publish(dataIds.a, 'v=3'); // published straight to Nacos while the client cannot see it
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).toEqual([]);
    await relay.open();
    await expect.poll(() => seen, { timeout: 20_000, interval: 50 }).toEqual(['v=3']);
    off();
  });

  it('publishes as the Open API does (the Dubbo interface mapping is written this way)', async () => {
    const dataId = `${run}-published`;
    try {
      expect(await client.publishSingle(dataId, 'mapping', 'app-a,app-b')).toBe(true);
      const q = new URLSearchParams({ dataId, group: 'mapping', accessToken });
      // A publish reaches reads after Nacos' dump, a moment later.
      await expect
        .poll(async () => (await fetch(`${base}/v1/cs/configs?${q.toString()}`)).text(), { timeout: 10_000 })
        .toBe('app-a,app-b');
      expect(await client.getConfig(dataId, 'mapping', {})).toBe('app-a,app-b');
    } finally {
      const q = new URLSearchParams({ dataId, group: 'mapping', accessToken });
      await (await fetch(`${base}/v1/cs/configs?${q.toString()}`, { method: 'DELETE' })).text();
    }
  });

  it('refuses a wrong password with its own code', async () => {
    const bad = new NacosConfigClient({
      connection: { serverAddr: `127.0.0.1:${nacos.port}`, username: nacos.username, password: 'wrong' },
      cacheDir: mkdtempSync(join(tmpdir(), 'silk-nacos-cfgc-')),
    });
    try {
      await expect(
        bad.api.call('GET', '/v1/cs/configs', { dataId: dataIds.a, group }, { timeoutMs: 5000 }),
      ).rejects.toMatchObject({
        code: NACOS_ERROR_CODES.auth,
      });
    } finally {
      bad.close();
    }
  });
});

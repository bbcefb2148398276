import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithContext } from '../core/index.js';
import { createSentinel, ManualClock, SENTINEL_ERROR_CODES } from '../sentinel/index.js';
import { HTTP_ERROR_CODES, ServiceClient, type InstanceChooser } from './index.js';

let live: Server;
let livePort = 0;
let deadPort = 0;

beforeAll(async () => {
  live = createServer((req, res) => {
    if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 500);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, xid: req.headers.tx_xid ?? null }));
  });
  await new Promise<void>((r) => live.listen(0, '127.0.0.1', r));
  livePort = (live.address() as AddressInfo).port;
  // A port that was just free: nothing listens there, so connecting is refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});

afterAll(() => live.close());

/** Our own discovery port, scripted: hands out the given ports in turn. */
function chooser(ports: (number | undefined)[]): InstanceChooser & { asked: number } {
  const c = {
    asked: 0,
    choose: () => {
      const port = ports[Math.min(c.asked++, ports.length - 1)];
      return Promise.resolve(port === undefined ? undefined : { ip: '127.0.0.1', port, metadata: {} });
    },
  };
  return c;
}

describe('ServiceClient', () => {
  it('calls the chosen instance with the path and query, carrying the XID', async () => {
    const client = new ServiceClient({ discovery: chooser([livePort]) });
    const res = await runWithContext({ xid: '10.0.0.1:8091:42' }, () =>
      client.call('http://order-service/orders/1?x=y'),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: '/orders/1?x=y', xid: '10.0.0.1:8091:42' });
    await client.close();
  });

  it('tries another instance when a connection is refused', async () => {
    const d = chooser([deadPort, livePort]);
    const client = new ServiceClient({ discovery: d });
    expect((await client.call('http://order-service/ok')).status).toBe(200);
    expect(d.asked).toBe(2);
    await client.close();
  });

  it('gives up with a coded error naming what it tried', async () => {
    const client = new ServiceClient({ discovery: chooser([deadPort]), connectRetries: 1 });
    await expect(client.call('http://order-service/ok')).rejects.toMatchObject({
      code: HTTP_ERROR_CODES.connectFailed,
      details: { tried: [`127.0.0.1:${deadPort}`, `127.0.0.1:${deadPort}`] },
    });
    await client.close();
  });

  it('times out a slow instance without retrying it', async () => {
    const d = chooser([livePort]);
    const client = new ServiceClient({ discovery: d, timeoutMs: 100 });
    await expect(client.call('http://order-service/slow')).rejects.toMatchObject({
      code: HTTP_ERROR_CODES.timeout,
    });
    expect(d.asked).toBe(1);
    await client.close();
  });

  it('says so when no instance exists, and refuses a non-service URL', async () => {
    const client = new ServiceClient({ discovery: chooser([undefined]) });
    await expect(client.call('http://nobody/x')).rejects.toMatchObject({
      code: HTTP_ERROR_CODES.noInstance,
      statusCode: 503,
    });
    await expect(client.call('not a url')).rejects.toMatchObject({ code: HTTP_ERROR_CODES.badUrl });
    await client.close();
  });

  it('guards calls with Sentinel under @SentinelRestTemplate’s resource names', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: 'GET:http://order-service/orders/1', count: 1 }]);
    const d = chooser([livePort]);
    const client = new ServiceClient({ discovery: d, sentinel });
    expect((await client.call('http://order-service/orders/1')).status).toBe(200);
    await expect(client.call('http://order-service/orders/1')).rejects.toMatchObject({
      code: SENTINEL_ERROR_CODES.SILK_SENTINEL_FLOW_BLOCKED,
      statusCode: 429,
    });
    // Blocked before anything was sent: discovery was asked once, for the first call only.
    expect(d.asked).toBe(1);
    // As in Java, the host resource is entered (and passes) before the path resource blocks.
    expect(sentinel.clusterNode('GET:http://order-service')?.passQps()).toBe(2);
    expect(sentinel.clusterNode('GET:http://order-service/orders/1')?.blockQps()).toBe(1);
    await client.close();
  });

  it('counts failed calls as exceptions for degrade rules', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.degradeRules.loadRules([
      { resource: 'GET:http://order-service', grade: 2, count: 1, timeWindow: 10, minRequestAmount: 1 },
    ]);
    const client = new ServiceClient({ discovery: chooser([deadPort]), connectRetries: 0, sentinel });
    for (let i = 0; i < 2; i++)
      await expect(client.call('http://order-service/x')).rejects.toMatchObject({
        code: HTTP_ERROR_CODES.connectFailed,
      });
    await expect(client.call('http://order-service/x')).rejects.toMatchObject({
      code: SENTINEL_ERROR_CODES.SILK_SENTINEL_DEGRADE_BLOCKED,
    });
    await client.close();
  });
});

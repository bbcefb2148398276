/**
 * The CircuitBreaker filter against real Sentinel degrade rules read from Nacos: while the
 * upstream answers 500, the breaker opens once the rule's exception count is reached and the
 * upstream sees no more requests (callers get the fallback); after the rule's time window one
 * probe goes through, and a healthy upstream closes the breaker again. Without the rule (before
 * it is published) every request still reaches the failing upstream.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { NacosConfigRepository } from '@silk/platform-sdk/nacos';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayNacosConfig } from './nacos-sources.js';
import { startGateway, type GatewayUnderTest } from './test-support.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const breaker = `gw-cb-${process.pid}`;
const routesId = `gw-cb-routes-${process.pid}.yaml`;
const degradeId = `gw-cb-degrade-${process.pid}.json`;
let token = '';
let upstream: Server;
let healthy = false;
let hits = 0;
let gw: GatewayUnderTest;
let live: GatewayNacosConfig;
let repository: NacosConfigRepository;

async function publish(dataId: string, content: string, type: string): Promise<void> {
  const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content, type, accessToken: token });
  expect(await (await fetch(`${base}/v1/cs/configs`, { method: 'POST', body })).text()).toBe('true');
}

async function call(): Promise<string> {
  const res = await request(`${gw.url}/api/data`);
  return `${res.statusCode} ${await res.body.text()}`;
}

beforeAll(async () => {
  token = await nacosLogin();
  upstream = createServer((req, res) => {
    if (req.url === '/fallback') return res.writeHead(200).end('fallback');
    hits++;
    if (healthy) return res.writeHead(200).end('fresh data');
    return res.writeHead(500).end('broken');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  await publish(
    routesId,
    `spring:
  cloud:
    gateway:
      routes:
        - id: data
          uri: ${origin}
          predicates:
            - Path=/api/**
          filters:
            - StripPrefix=1
            - name: CircuitBreaker
              args:
                name: ${breaker}
                fallbackUri: forward:/fallback
                statusCodes: 500
        - id: fallback
          uri: ${origin}
          predicates:
            - Path=/fallback
`,
    'yaml',
  );
  await publish(degradeId, '[]', 'json');
  repository = new NacosConfigRepository({ connection: { serverAddr, username: nacos.username, password: nacos.password }, cacheDir: mkdtempSync(join(tmpdir(), 'silk-gw-cb-')) });
  gw = await startGateway();
  live = new GatewayNacosConfig(gw.gateway, { repository, routesDataId: routesId, degradeRulesDataId: degradeId, onReport: (e) => console.warn('gateway config report', e) });
  await live.start();
}, 60_000);

afterAll(async () => {
  await live?.stop();
  await gw?.close();
  repository?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
  for (const dataId of [routesId, degradeId])
    await fetch(`${base}/v1/cs/configs?${new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', accessToken: token }).toString()}`, { method: 'DELETE' });
});

describe('CircuitBreaker with degrade rules from Nacos', () => {
  it('without a rule, every request reaches the failing upstream and gets the fallback', async () => {
    await expect.poll(call, { timeout: 15_000, interval: 300 }).toBe('200 fallback');
    hits = 0;
    for (let i = 0; i < 10; i++) expect(await call()).toBe('200 fallback');
    expect(hits).toBe(10);
  });

  it('opens at the rule exception count, stops calling the upstream, probes after the window and closes', async () => {
    // Sentinel DegradeRule: grade 2 = exception count; 3 errors within 1 s open it for 2 s.
    await publish(degradeId, JSON.stringify([{ resource: breaker, grade: 2, count: 3, timeWindow: 2, minRequestAmount: 3, statIntervalMs: 1000 }]), 'json');
    const opened = async () => {
      hits = 0;
      for (let i = 0; i < 10; i++) await call();
      return hits;
    };
    // Once the rule is in force, a burst of 10 reaches the upstream only until it trips.
    await expect.poll(opened, { timeout: 15_000, interval: 2500 }).toBeLessThanOrEqual(4);
    hits = 0;
    for (let i = 0; i < 10; i++) expect(await call()).toBe('200 fallback');
    expect(hits).toBe(0);
    healthy = true;
    await new Promise((r) => setTimeout(r, 2300));
    expect(await call()).toBe('200 fresh data'); // the HALF_OPEN probe succeeds
    hits = 0;
    for (let i = 0; i < 5; i++) expect(await call()).toBe('200 fresh data');
    expect(hits).toBe(5);
  });
});

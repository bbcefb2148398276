/**
 * GatewayNacosConfig over an in-memory ConfigRepository (the port NacosConfigRepository
 * implements): the live-reload path without Nacos' latency — a change swaps the routes during
 * a load run with no failed request, a broken document is refused whole with its reason in
 * health() while the last good routes serve, and Sentinel gateway rules follow their dataId.
 */
import type { ConfigRepository, ConfigSource } from '@silk/platform-sdk/config';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayNacosConfig } from './nacos-sources.js';
import { startGateway, startUpstream, type GatewayUnderTest, type Upstream } from './test-support.js';

class MemoryRepository implements ConfigRepository {
  readonly contents = new Map<string, string>();
  readonly listeners = new Map<string, Set<(c: string | undefined) => void>>();

  get(s: ConfigSource): Promise<string | undefined> {
    return Promise.resolve(this.contents.get(s.dataId));
  }

  subscribe(s: ConfigSource, onChange: (c: string | undefined) => void): () => void {
    const set = this.listeners.get(s.dataId) ?? new Set();
    set.add(onChange);
    this.listeners.set(s.dataId, set);
    return () => set.delete(onChange);
  }

  publish(dataId: string, content: string): void {
    this.contents.set(dataId, content);
    for (const l of this.listeners.get(dataId) ?? []) l(content);
  }
}

let a: Upstream;
let b: Upstream;
let gw: GatewayUnderTest;
let live: GatewayNacosConfig;
const repo = new MemoryRepository();
const routes = (origin: string, extra = '') => `spring.cloud.gateway.routes:
  - id: shop
    uri: ${origin}
    predicates: [Path=/shop/**]
    filters: [StripPrefix=1]
${extra}`;

beforeAll(async () => {
  a = await startUpstream('a');
  b = await startUpstream('b');
  repo.contents.set('routes.yaml', routes(a.origin));
  repo.contents.set('gw-flow.json', '[]');
  gw = await startGateway();
  live = new GatewayNacosConfig(gw.gateway, { repository: repo, routesDataId: 'routes.yaml', flowRulesDataId: 'gw-flow.json' });
  await live.start();
});

afterAll(async () => {
  await live.stop();
  await gw.close();
  await a.close();
  await b.close();
});

async function who(): Promise<string> {
  const res = await request(`${gw.url}/shop/echo`);
  const text = await res.body.text();
  return res.statusCode === 200 ? (JSON.parse(text) as { name: string }).name : `${res.statusCode}`;
}

describe('gateway config followed from a config repository', () => {
  it('swaps routes during a load run without a failed request', async () => {
    expect(await who()).toBe('a');
    const seen: string[] = [];
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (!stop) seen.push(await who());
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    repo.publish('routes.yaml', routes(b.origin));
    await expect.poll(() => seen.at(-1), { timeout: 5000 }).toBe('b');
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await load;
    expect(seen.filter((s) => s !== 'a' && s !== 'b')).toEqual([]);
    expect(seen.slice(seen.indexOf('b'))).not.toContain('a');
  });

  it('refuses a broken document whole, with the reason in health(), and keeps the last good routes', async () => {
    repo.publish('routes.yaml', routes(a.origin, '  - {id: bad, uri: "lb://x", predicates: [Nope=1]}'));
    await expect.poll(() => live.health().lastError?.message ?? '', { timeout: 5000 }).toMatch(/route 'bad': unknown predicate 'Nope'/);
    expect(live.health()).toMatchObject({ status: 'UP', lastError: { code: 'SILK_CONFIG_INVALID', dataId: 'routes.yaml' } });
    expect(await who()).toBe('b');
    repo.publish('routes.yaml', routes(a.origin));
    await expect.poll(who, { timeout: 5000 }).toBe('a');
    expect(live.health().lastError).toBeUndefined();
  });

  it('follows the Sentinel gateway rule dataId', async () => {
    repo.publish('gw-flow.json', JSON.stringify([{ resource: 'shop', count: 1 }]));
    expect(gw.gateway.flow.rules).toHaveLength(1);
    const statuses = [await who(), await who()];
    expect(statuses).toEqual(['a', '429']);
    repo.publish('gw-flow.json', '[]');
    expect(gw.gateway.flow.rules).toHaveLength(0);
  });
});

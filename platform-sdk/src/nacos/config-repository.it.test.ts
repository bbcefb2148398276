import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_ERROR_CODES, ConfigStore, LiveConfig, configSources } from '../config/index.js';
import { NacosConfigRepository } from './index.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const app = `silk-cfg-it-${process.pid}`;
const dataId = `${app}.yaml`;
let accessToken = '';

async function publish(content: string): Promise<void> {
  const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content, type: 'yaml', accessToken });
  const res = await fetch(`${base}/v1/cs/configs`, { method: 'POST', body });
  expect(await res.text()).toBe('true');
}

const schema = z.object({
  server: z.object({ port: z.coerce.number().int().positive() }),
  feature: z.object({ enabled: z.coerce.boolean() }),
});

const repository = new NacosConfigRepository({
  connection: { serverAddr, username: nacos.username, password: nacos.password },
  cacheDir: mkdtempSync(join(tmpdir(), 'silk-nacos-config-')),
});
const sources = configSources({ name: app, fileExtension: 'yaml' });
const store = new ConfigStore(sources, schema, { env: {} });
const live = new LiveConfig(store, sources, repository);

beforeAll(async () => {
  accessToken = await nacosLogin();
  await publish('server:\n  port: 8001\nfeature:\n  enabled: true\n');
  // A fresh publish reaches reads within a moment; start once it is readable.
  const deadline = Date.now() + 10_000;
  while (!(await repository.get(sources[1]!))?.includes('8001')) {
    if (Date.now() > deadline) throw new Error(`published ${dataId} never became readable`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await live.start();
});

afterAll(async () => {
  live.stop();
  repository.close();
  await fetch(
    `${base}/v1/cs/configs?${new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', accessToken }).toString()}`,
    {
      method: 'DELETE',
    },
  );
});

describe('live config from the real Nacos', () => {
  it('loads the dataId a Spring Cloud Alibaba app of the same name would', () => {
    expect(store.current).toEqual({ server: { port: 8001 }, feature: { enabled: true } });
  });

  it('a change published to Nacos reaches the listener with old and new values', async () => {
    const seen: [number, number][] = [];
    const off = store.onChange((next, prev) => seen.push([prev.server.port, next.server.port]));
    await publish('server:\n  port: 8002\nfeature:\n  enabled: true\n');
    await expect.poll(() => seen, { timeout: 40_000 }).toEqual([[8001, 8002]]);
    off();
  });

  it('bad YAML keeps the last good config and says why', async () => {
    await publish('server:\n  port: [8003\n');
    await expect
      .poll(() => store.health().lastError?.code, { timeout: 40_000 })
      .toBe(CONFIG_ERROR_CODES.invalid);
    expect(store.health().lastError?.dataId).toBe(dataId);
    expect(store.current.server.port).toBe(8002);

    // Content that parses but breaks the schema is refused the same way.
    await publish('server:\n  port: -1\nfeature:\n  enabled: true\n');
    await expect.poll(() => store.health().lastError?.message, { timeout: 40_000 }).toMatch(/server\.port/);
    expect(store.current.server.port).toBe(8002);

    // And the next good content is taken again.
    await publish('server:\n  port: 8004\nfeature:\n  enabled: false\n');
    await expect.poll(() => store.current.server.port, { timeout: 40_000 }).toBe(8004);
    expect(store.health().lastError).toBeUndefined();
  });
});

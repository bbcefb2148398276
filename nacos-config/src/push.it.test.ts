import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NacosAdmin, type NacosTarget } from './nacos-admin.js';
import { publishLayout } from './publish.js';

const target: NacosTarget = {
  baseUrl: `http://127.0.0.1:${nacos.port}`,
  contextPath: nacos.contextPath,
  username: nacos.username,
  password: nacos.password,
};
const run = `${Date.now()}-${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'silk-nacos-push-'));
const admin = new NacosAdmin(target);

function write(path: string, content: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

beforeAll(async () => {
  await admin.login();
});

afterAll(async () => {
  await admin.deleteConfig('', 'DEFAULT_GROUP', `push-${run}.yaml`).catch(() => undefined);
  await admin.deleteConfig('silk-it', 'SILK_IT', `push-${run}.json`).catch(() => undefined);
});

describe('pnpm nacos:push against the real Nacos', () => {
  it('publishes new dataIds, skips unchanged ones, republishes changed ones', async () => {
    write(`public/DEFAULT_GROUP/push-${run}.yaml`, 'feature:\n  enabled: true\n');
    write(`silk-it/SILK_IT/push-${run}.json`, '[{"resource":"a","count":1}]');

    const first = await publishLayout(admin, root);
    expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
    // Nacos serves reads from a cache that lags a publish by a moment.
    const read = (tenant: string, group: string, dataId: string) =>
      expect.poll(() => admin.getConfig(tenant, group, dataId), { timeout: 10_000 });
    await read('silk-it', 'SILK_IT', `push-${run}.json`).toBe('[{"resource":"a","count":1}]');
    await read('', 'DEFAULT_GROUP', `push-${run}.yaml`).toBe('feature:\n  enabled: true\n');

    const second = await publishLayout(admin, root);
    expect(second.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);

    write(`public/DEFAULT_GROUP/push-${run}.yaml`, 'feature:\n  enabled: false\n');
    const third = await publishLayout(admin, root);
    expect(third.map((r) => `${r.entry.namespace}:${r.outcome}`)).toEqual([
      'public:updated',
      'silk-it:unchanged',
    ]);
    await read('', 'DEFAULT_GROUP', `push-${run}.yaml`).toBe('feature:\n  enabled: false\n');
  });

  it('says so clearly when the credentials are wrong', async () => {
    await expect(new NacosAdmin({ ...target, password: 'not-the-password' }).login()).rejects.toThrow(
      /wrong username or password/,
    );
  });
});

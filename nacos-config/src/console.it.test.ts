/**
 * A config edit made in the real Nacos 3 console, in Debian's Chromium, reaches a running Silk
 * service: the dataId is published through the Open API, a service reads it with a typed
 * feature flag, the console flips the flag, and both the Open API and the service's `config()`
 * then show the edit. The screenshot of the edit is kept under .stack/screenshots/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type SilkService } from '@silk/platform-sdk/fastify';
import { nacos, stateDir } from '@silk/stack/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { editConfig, openConsole, screenshot, type NacosConsole } from './console.js';
import { NacosAdmin } from './nacos-admin.js';

const name = `console-it-${process.pid}`;
const dataId = `${name}.yaml`;
const group = 'DEFAULT_GROUP';
const rulesDataId = `${name}-flow-rules.json`;
// A namespace the stack's tests share (nacos-config's push test writes there too).
const otherNamespace = 'silk-it';
const admin = new NacosAdmin({ baseUrl: `http://127.0.0.1:${nacos.port}`, contextPath: nacos.contextPath, username: nacos.username, password: nacos.password });
const schema = z.object({
  shop: z.object({ greeting: z.string(), feature: z.object({ 'fast-checkout': z.boolean() }) }),
});
type ShopConfig = z.infer<typeof schema>;
let svc: SilkService<ShopConfig>;
let nacosConsole: NacosConsole | undefined;
const SCREENSHOT = join(stateDir, 'screenshots', 'nacos-console-edit.png');

beforeAll(async () => {
  await admin.login();
  await admin.publishConfig('', group, dataId, 'shop:\n  greeting: hello\n  feature:\n    fast-checkout: false\n', 'yaml');
  // A fresh publish reaches reads within a moment.
  for (const deadline = Date.now() + 10_000; !((await admin.getConfig('', group, dataId)) ?? '').includes('fast-checkout'); ) {
    if (Date.now() > deadline) throw new Error(`published ${dataId} never became readable`);
    await new Promise((r) => setTimeout(r, 200));
  }
  svc = createService({
    name,
    configSchema: schema,
    cwd: mkdtempSync(join(tmpdir(), 'silk-console-it-')),
    handleSignals: false,
    bootstrap: {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'warn',
      nacos: { serverAddr: `127.0.0.1:${nacos.port}`, username: nacos.username, password: nacos.password },
      config: { fileExtension: 'yaml' },
      discovery: { ip: '127.0.0.1' },
    },
  });
  await svc.start();
  nacosConsole = await openConsole();
}, 120_000);

afterAll(async () => {
  await nacosConsole?.close();
  await svc?.stop();
  await admin.deleteConfig('', group, dataId).catch(() => undefined);
  await admin.deleteConfig('', group, rulesDataId).catch(() => undefined);
  await admin.deleteConfig(otherNamespace, group, dataId).catch(() => undefined);
}, 30_000);

describe('editing a dataId in the Nacos console', () => {
  it('publishes the edit, and the running service sees the new flag', async () => {
    expect(svc.config().shop.feature['fast-checkout']).toBe(false);
    const result = await editConfig(nacosConsole!.page, {
      dataId,
      group,
      edit: (text) => text.replace('fast-checkout: false', 'fast-checkout: true').replace('hello', 'hello from the console'),
    });
    await screenshot(nacosConsole!.page, SCREENSHOT);
    expect(result.before).toContain('fast-checkout: false');
    expect(result.after).toContain('fast-checkout: true');
    await expect.poll(() => admin.getConfig('', group, dataId), { timeout: 10_000 }).toBe(result.after);
    await expect.poll(() => svc.config().shop, { timeout: 30_000, interval: 200 }).toEqual({
      greeting: 'hello from the console',
      feature: { 'fast-checkout': true },
    });
    console.log(`console edit made by ${result.how}; screenshot ${SCREENSHOT}`);
  }, 90_000);

  it('publishes a Sentinel rule JSON edit verbatim (brackets and indentation as written)', async () => {
    await admin.publishConfig('', group, rulesDataId, '[\n  {"resource": "/orders", "count": 1}\n]\n', 'json');
    await expect.poll(() => admin.getConfig('', group, rulesDataId), { timeout: 10_000 }).toContain('/orders');
    const result = await editConfig(nacosConsole!.page, {
      dataId: rulesDataId,
      group,
      edit: (text) => text.replace('"count": 1}', '"count": 5, "grade": 1},\n  {"resource": "/stock", "count": 2, "limitApp": "default"}'),
    });
    expect(JSON.parse(result.after)).toEqual([
      { resource: '/orders', count: 5, grade: 1 },
      { resource: '/stock', count: 2, limitApp: 'default' },
    ]);
    await expect.poll(() => admin.getConfig('', group, rulesDataId), { timeout: 10_000 }).toBe(result.after);
    console.log(`console JSON edit made by ${result.how}`);
  }, 60_000);

  it('edits the dataId of the namespace it is told, not the same name in public', async () => {
    await admin.ensureNamespace(otherNamespace);
    await admin.publishConfig(otherNamespace, group, dataId, 'where: silk-it\n', 'yaml');
    await expect.poll(() => admin.getConfig(otherNamespace, group, dataId), { timeout: 10_000 }).toBe('where: silk-it\n');
    const publicBefore = await admin.getConfig('', group, dataId);
    const result = await editConfig(nacosConsole!.page, { dataId, group, namespace: otherNamespace, edit: (t) => t.replace('silk-it', 'edited in silk-it') });
    expect(result.before).toBe('where: silk-it\n');
    await expect.poll(() => admin.getConfig(otherNamespace, group, dataId), { timeout: 10_000 }).toBe('where: edited in silk-it\n');
    expect(await admin.getConfig('', group, dataId)).toBe(publicBefore);
  }, 60_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import { createSentinel, ManualClock, SENTINEL_ERROR_CODES, type Sentinel } from '../sentinel/index.js';
import { DubboRemoteException } from './errors.js';
import { ExchangeClient } from './exchange-client.js';
import { ExchangeServer, javaException } from './exchange-server.js';
import { staticProviders } from './provider-discovery.js';
import { DubboReference } from './reference.js';
import { javaClassName, methodResourceName } from './sentinel-filter.js';
import type { DubboServiceDefinition } from './service-definition.js';

const def: DubboServiceDefinition = {
  interface: 'dev.silk.test.Orders',
  version: '1.0.0',
  methods: {
    place: { parameterTypes: ['java.lang.String', 'long'], returnType: 'java.lang.String' },
    fail: { parameterTypes: [] },
  },
};
const PLACE = 'dev.silk.test.Orders:place(java.lang.String,long)';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let calls = 0;
async function setup(provider?: Sentinel, consumer?: Sentinel, application = 'caller-app') {
  calls = 0;
  const server = new ExchangeServer({
    port: 0,
    host: '127.0.0.1',
    ...(provider ? { sentinel: provider } : {}),
  });
  server.export(def, {
    place: (sku: string) => (calls++, `placed ${sku}`),
    fail: () => Promise.reject(javaException('java.lang.IllegalStateException', 'no stock')),
  });
  const port = await server.start();
  cleanup.push(() => server.stop(100));
  const client = new ExchangeClient({});
  cleanup.push(() => client.close(100));
  return new DubboReference(def, {
    client,
    discovery: staticProviders([`127.0.0.1:${port}`]),
    application,
    timeout: 2000,
    ...(consumer ? { sentinel: consumer } : {}),
  }).proxy<{ place(sku: string, n: bigint): Promise<string>; fail(): Promise<unknown> }>();
}

describe('Sentinel around Dubbo calls, named as the Java adapter names them', () => {
  it('spells parameter classes as Class.getName() does', () => {
    expect(javaClassName('long')).toBe('long');
    expect(javaClassName('java.util.List<com.foo.Item>')).toBe('java.util.List');
    expect(javaClassName('java.lang.String[]')).toBe('[Ljava.lang.String;');
    expect(javaClassName('int[][]')).toBe('[[I');
    expect(methodResourceName(def, 'place', ['java.lang.String', 'long'])).toBe(PLACE);
  });

  it('the provider answers a block as Java’s fallback does, and counts the caller as origin', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: PLACE, count: 1 }]);
    const orders = await setup(sentinel);
    expect(await orders.place('a', 1n)).toBe('placed a');
    const blocked = await orders.place('b', 1n).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(DubboRemoteException);
    expect(blocked).toMatchObject({
      details: { javaClass: 'java.lang.RuntimeException' },
      message: expect.stringContaining('SentinelBlockException: FlowException') as unknown,
    });
    expect(calls).toBe(1);
    expect(sentinel.clusterNode('dev.silk.test.Orders')?.passQps()).toBe(2);
    expect(sentinel.clusterNode(PLACE)?.blockQps()).toBe(1);
    // The context is the method resource; the origin is the caller's application.
    expect(sentinel.clusterNode(PLACE)?.originNodes().has('caller-app')).toBe(true);
  });

  it('authority rules see the caller application', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.authorityRules.loadRules([
      { resource: 'dev.silk.test.Orders', limitApp: 'caller-app', strategy: 1 },
    ]);
    const orders = await setup(sentinel);
    await expect(orders.place('a', 1n)).rejects.toThrow(/SentinelBlockException: AuthorityException/);
    expect(calls).toBe(0);
  });

  it('a provider exception counts against degrade rules', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.degradeRules.loadRules([
      { resource: 'dev.silk.test.Orders:fail()', grade: 2, count: 1, timeWindow: 10, minRequestAmount: 1 },
    ]);
    const orders = await setup(sentinel);
    for (let i = 0; i < 2; i++) await expect(orders.fail()).rejects.toThrow(/no stock/);
    await expect(orders.fail()).rejects.toThrow(/SentinelBlockException: DegradeException/);
  });

  it('the consumer blocks before sending, with the coded block error', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.flowRules.loadRules([{ resource: 'dev.silk.test.Orders', count: 0 }]);
    const orders = await setup(undefined, sentinel);
    await expect(orders.place('a', 1n)).rejects.toMatchObject({
      code: SENTINEL_ERROR_CODES.SILK_SENTINEL_FLOW_BLOCKED,
    });
    expect(calls).toBe(0);
  });

  it('hot-parameter rules on the method resource see the call’s arguments', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(1_000_000) });
    sentinel.paramFlowRules.loadRules([{ resource: PLACE, paramIdx: 0, count: 1 }]);
    const orders = await setup(undefined, sentinel);
    expect(await orders.place('hot', 1n)).toBe('placed hot');
    await expect(orders.place('hot', 1n)).rejects.toMatchObject({
      code: SENTINEL_ERROR_CODES.SILK_SENTINEL_PARAM_FLOW_BLOCKED,
    });
    expect(await orders.place('cold', 1n)).toBe('placed cold');
  });
});

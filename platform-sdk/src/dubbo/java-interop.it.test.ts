/**
 * Interop with real Java Dubbo 3.3.5 (interop/java/dubbo-app, from Maven Central) over the
 * stack's Nacos, both ways, across the whole type matrix, with exceptions, timeouts and
 * attachments:
 *   - a Java consumer finds a Silk provider in Nacos with only its usual config and calls
 *     every method (the fixture prints one CHECK line per method);
 *   - a Silk consumer finds a Java provider in Nacos and calls every method.
 */
import { freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { beforeAll, describe, expect, it } from 'vitest';
import { runWithContext } from '../core/index.js';
import { NacosDiscovery } from '../nacos/index.js';
import { DubboConsumer, DubboProvider } from './bootstrap.js';
import { DUBBO_ERROR_CODES } from './errors.js';
import { BigDecimal, LocalDateTime, javaClassOf } from './java-values.js';
import { DubboNacosRegistry, NacosProviderDiscovery } from './nacos-registry.js';
import type { DubboReference } from './reference.js';
import { sampleUser, typeMatrixHandlers, typeMatrixService } from './fixtures/type-matrix.js';
import { connection, run, untilAnswered, useJavaDubboFixture } from './fixtures/java-dubbo-support.js';

const fixture = useJavaDubboFixture();
const { started } = fixture;

/**
 * Serves TypeMatrixService from Silk, registered as `registerMode` says, and runs the Java
 * consumer against it: every one of its 20 checks must pass.
 */
async function javaConsumerPassesAgainstSilk(
  version: string,
  registerMode: 'all' | 'instance',
): Promise<void> {
  const registry = new DubboNacosRegistry({
    connection,
    application: `silk-dubbo-${registerMode}-${run}`,
    registerMode,
  });
  const provider = new DubboProvider({ port: await freePort(), registry, drainMs: 100 });
  provider.export(typeMatrixService(version), typeMatrixHandlers);
  await provider.start();
  started.push(provider);
  const java = spawnJava(fixture.jar, [
    'consumer',
    connection.serverAddr,
    `java-dubbo-consumer-${registerMode}-${run}`,
    version,
  ]);
  started.push(java);
  const done = await java.waitForOutput(/CONSUMER DONE passed=(\d+) failed=(\d+)/, 180_000);
  const checks = java.output.split('\n').filter((l) => l.startsWith('CHECK'));
  expect(
    checks.filter((l) => !l.endsWith(' OK')),
    java.output.slice(-4000),
  ).toEqual([]);
  expect(Number(done[1])).toBe(20);
  expect(done[2]).toBe('0');
}

describe('Java Dubbo 3 consumer → Silk provider', () => {
  it('finds the Silk provider in Nacos and gets every type, the exception, the timeout and attachments right', async () => {
    await javaConsumerPassesAgainstSilk(`1.0.${run}`, 'all');
  }, 240_000);

  it('finds a Silk provider registered at the application level only (mapping, MetadataService)', async () => {
    await javaConsumerPassesAgainstSilk(`1.1.${run}`, 'instance');
  }, 240_000);
});

describe('Silk consumer → Java Dubbo 3 provider', () => {
  let ref: DubboReference;
  let svc: Record<string, (...a: unknown[]) => Promise<unknown>>;

  beforeAll(async () => {
    const version = `2.0.${run}`;
    const java: JavaProcess = spawnJava(fixture.jar, [
      'provider',
      connection.serverAddr,
      `java-dubbo-provider-${run}`,
      String(await freePort()),
      version,
    ]);
    started.push(java);
    await java.waitForOutput(/READY \d+/, 120_000);
    const discovery = new NacosDiscovery({ connection, refreshIntervalMs: 1000 });
    started.push(discovery);
    const consumer = new DubboConsumer({
      discovery: new NacosProviderDiscovery(discovery),
      application: `silk-dubbo-consumer-${run}`,
      timeout: 3000,
      drainMs: 100,
    });
    started.push(consumer);
    ref = consumer.reference(typeMatrixService(version));
    svc = ref.proxy();
    await untilAnswered(() => svc.echo!('warm-up'), 60_000);
  }, 240_000);

  it('sends and receives every type of the matrix', async () => {
    expect(await svc.echo!('héllo 世界')).toBe('héllo 世界');
    expect(await svc.addInt!(-7, 2)).toBe(-5);
    expect(await svc.addLong!(9007199254740992n, 1)).toBe(9007199254740993n);
    expect(await svc.half!(2.5)).toBe(1.25);
    expect(await svc.not!(true)).toBe(false);
    expect(await svc.scale!(new BigDecimal('1.23'), 3)).toEqual(new BigDecimal('3.69'));
    expect(await svc.nextDay!(new Date(1_700_000_000_000))).toEqual(new Date(1_700_086_400_000));
    expect(await svc.plusHours!(new LocalDateTime(2024, 2, 29, 23, 30, 15), 2)).toEqual(
      new LocalDateTime(2024, 3, 1, 1, 30, 15, 0),
    );
    expect(await svc.next!('BLUE')).toEqual({ name: 'RED' });
    expect(await svc.reverse!(['a', 'b', 'c'])).toEqual(['c', 'b', 'a']);
    expect(await svc.evens!([1, 2, 3, 4])).toEqual(new Set([2, 4]));
    expect(await svc.doubled!({ a: 1, big: 4611686018427387904n })).toEqual(
      new Map<string, unknown>([
        ['a', 2],
        ['big', -9223372036854775808n],
      ]),
    );
    expect(await svc.squares!([1, 2, 3])).toEqual([1, 4, 9]);
    expect(await svc.upper!(['a', 'b'])).toEqual(['A', 'B']);
    expect(await svc.reverseBytes!(Buffer.from([0xff, 0, 1, 2, 3]))).toEqual(Buffer.from([3, 2, 1, 0, 0xff]));
    expect(await svc.maybeNull!(true)).toBe(null);
    expect(await svc.maybeNull!(false)).toBe('not null');
    const user = (await svc.greet!(sampleUser())) as Record<string, unknown>;
    expect(javaClassOf(user)).toBe('dev.silk.interop.dubbo.User');
    expect(user).toMatchObject({
      id: 9007199254740994n,
      name: 'Hello Ada',
      age: 37,
      favourite: { name: 'GREEN' },
    });
    expect(user.scores).toEqual(new Map([['math', [90, 9007199254740993n]]]));
    expect((user.addresses as unknown[]).map((a) => ({ ...(a as object) }))).toEqual([
      { city: 'Beijing', zip: '100000' },
      { city: 'Hangzhou', zip: '310000' },
    ]);
  });

  it('turns the Java exception into DubboRemoteException with its class and message', async () => {
    await expect(svc.fail!('boom from silk')).rejects.toMatchObject({
      code: DUBBO_ERROR_CODES.remoteException,
      javaClass: 'java.lang.IllegalArgumentException',
      remote: { javaMessage: 'boom from silk' },
    });
  });

  it('times out a slow call with SILK_DUBBO_TIMEOUT', async () => {
    await expect(ref.invoke('slow', [2000], { timeout: 300 })).rejects.toMatchObject({
      code: DUBBO_ERROR_CODES.timeout,
    });
  });

  it('carries attachments and the XID both ways', async () => {
    const r = await ref.invoke('attachment', ['silk-key'], { attachments: { 'silk-key': 'from-silk' } });
    expect(r.value).toBe('from-silk');
    expect(r.attachments['echo-silk-key']).toBe('from-silk');
    const xid = await runWithContext({ xid: '127.0.0.1:8091:777' }, () => svc.attachment!('TX_XID'));
    expect(xid).toBe('127.0.0.1:8091:777');
    expect(await svc.attachment!('remote.application')).toBe(`silk-dubbo-consumer-${run}`);
  });
});

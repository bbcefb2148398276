/**
 * Faults caused for real:
 *   - a Java Dubbo provider process is SIGKILLed while 64 calls are in flight: calls waiting
 *     on it fail at once with SILK_DUBBO_CONNECTION_CLOSED (not after their timeout), and
 *     with failover every call completes on the other provider;
 *   - garbage bytes sent to a Silk provider: that connection is closed with a log line, the
 *     provider keeps serving its other consumers.
 */
import { connect } from 'node:net';
import { freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import { NacosDiscovery } from '../nacos/index.js';
import { DubboConsumer, DubboProvider } from './bootstrap.js';
import { DUBBO_ERROR_CODES } from './errors.js';
import { DubboNacosRegistry, NacosProviderDiscovery } from './nacos-registry.js';
import { typeMatrixHandlers, typeMatrixService } from './fixtures/type-matrix.js';
import { connection, run, untilAnswered, useJavaDubboFixture } from './fixtures/java-dubbo-support.js';

const fixture = useJavaDubboFixture();
const { started } = fixture;

describe('a provider killed mid-load', () => {
  it('fails in-flight calls fast and retries reach the other provider', async () => {
    const version = `3.0.${run}`;
    const javas: JavaProcess[] = [];
    for (const name of ['a', 'b']) {
      const j = spawnJava(fixture.jar, [
        'provider',
        connection.serverAddr,
        `java-dubbo-fault-${name}-${run}`,
        String(await freePort()),
        version,
      ]);
      started.push(j);
      javas.push(j);
    }
    await Promise.all(javas.map((j) => j.waitForOutput(/READY (\d+)/, 120_000)));
    const victimPort = Number(javas[0]!.output.match(/READY (\d+)/)![1]);
    const discovery = new NacosDiscovery({ connection, refreshIntervalMs: 1000 });
    started.push(discovery);
    const consumer = new DubboConsumer({
      discovery: new NacosProviderDiscovery(discovery),
      application: `silk-fault-${run}`,
      timeout: 5000,
      drainMs: 100,
    });
    started.push(consumer);
    const failover = consumer.reference(typeMatrixService(version), {
      retries: 2,
      loadbalance: 'roundrobin',
    });
    const failfast = consumer.reference(typeMatrixService(version), {
      cluster: 'failfast',
      loadbalance: 'roundrobin',
    });
    // Both providers visible and warm.
    const deadline = Date.now() + 60_000;
    while (
      (await discovery.getInstances(`providers:dev.silk.interop.dubbo.TypeMatrixService:${version}:`))
        .length < 2
    ) {
      if (Date.now() > deadline) throw new Error('both Java providers did not show up in Nacos');
      await new Promise((r) => setTimeout(r, 500));
    }
    for (let i = 0; i < 20; i++) await failover.invoke('echo', ['warm']);

    let killedAt = 0;
    const failoverOutcomes: { ok: boolean; ms: number; code?: string }[] = [];
    const failfastErrors: { code: string; afterKillMs: number }[] = [];
    const stopAt = Date.now() + 4000;
    const worker = async (i: number) => {
      const ref = i % 4 === 0 ? failfast : failover;
      while (Date.now() < stopAt) {
        const t0 = Date.now();
        try {
          await ref.invoke('slow', [200]);
          if (ref === failover) failoverOutcomes.push({ ok: true, ms: Date.now() - t0 });
        } catch (e) {
          const code = isSilkError(e) ? e.code : String(e);
          if (ref === failover) failoverOutcomes.push({ ok: false, ms: Date.now() - t0, code });
          else failfastErrors.push({ code, afterKillMs: killedAt ? Date.now() - killedAt : -1 });
        }
      }
    };
    const load = Promise.all(Array.from({ length: 64 }, (_, i) => worker(i)));
    await new Promise((r) => setTimeout(r, 1000));
    killedAt = Date.now();
    javas[0]!.child.kill('SIGKILL');
    await load;

    expect(failoverOutcomes.filter((o) => !o.ok)).toEqual([]);
    expect(failoverOutcomes.length).toBeGreaterThan(100);
    // Calls caught on the dead provider by failover still finish well inside their 5 s timeout.
    expect(Math.max(...failoverOutcomes.map((o) => o.ms))).toBeLessThan(2500);
    // failfast calls in flight on it (and those sent before Nacos drops it) fail at once, retryable, not timed out.
    expect(failfastErrors.length).toBeGreaterThan(0);
    expect(
      failfastErrors.every(
        (e) => e.code === DUBBO_ERROR_CODES.connectionClosed && e.afterKillMs >= 0 && e.afterKillMs < 4000,
      ),
    ).toBe(true);
    expect(victimPort).toBeGreaterThan(0);
  }, 300_000);
});

describe('a garbage frame sent to a Silk provider', () => {
  it('closes that connection with a log line and keeps serving others', async () => {
    const version = `3.1.${run}`;
    const logs: { msg: string; obj: Record<string, unknown> }[] = [];
    const logger = { warn: (obj: Record<string, unknown>, msg: string) => void logs.push({ obj, msg }) };
    const registry = new DubboNacosRegistry({
      connection,
      application: `silk-garbage-${run}`,
      registerMode: 'interface',
    });
    const provider = new DubboProvider({ port: await freePort(), registry, logger, drainMs: 100 });
    provider.export(typeMatrixService(version), typeMatrixHandlers);
    await provider.start();
    started.push(provider);
    const discovery = new NacosDiscovery({ connection, refreshIntervalMs: 1000 });
    started.push(discovery);
    const consumer = new DubboConsumer({
      discovery: new NacosProviderDiscovery(discovery),
      application: `silk-garbage-consumer-${run}`,
      timeout: 3000,
      drainMs: 100,
    });
    started.push(consumer);
    const svc = consumer
      .reference(typeMatrixService(version))
      .proxy<Record<string, (...a: unknown[]) => Promise<unknown>>>();
    await untilAnswered(() => svc.echo!('up'), 30_000);
    const background = Promise.all(Array.from({ length: 200 }, (_, i) => svc.echo!(`m${i}`)));
    const bad = connect({ host: registry.address, port: provider.port });
    await new Promise((r) => bad.once('connect', r));
    const closed = new Promise((r) => bad.once('close', r));
    bad.write(Buffer.from('dabbc2000000000000000001ffffffff', 'hex')); // a header whose body length is negative
    await closed;
    expect((await background).length).toBe(200);
    expect(
      logs.some((l) => l.msg.includes('malformed frame') && l.obj.code === DUBBO_ERROR_CODES.badFrame),
    ).toBe(true);
    expect(await svc.echo!('after')).toBe('after');
    expect(provider.server.connectionCount).toBe(1);
  }, 120_000);
});

/**
 * The trace context a traced Silk consumer puts in Dubbo attachments, as a real Java Dubbo
 * 3.3.5 provider (interop/java/dubbo-app, found through the stack's Nacos) reads it from its
 * RpcContext — the place Dubbo's ObservationReceiverFilter and Brave/OTel propagators read
 * it from: W3C `traceparent` and B3 `b3`, naming the consumer's CLIENT span as parent.
 * (The fixture runs no Java tracer; that a Java tracer continues a W3C/B3 context over HTTP
 * is shown by java-trace-interop.it.test.ts.)
 */
import { spawnJava, freePort } from '@silk/stack/java-fixture';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { DubboConsumer } from '../dubbo/bootstrap.js';
import { NacosProviderDiscovery } from '../dubbo/nacos-registry.js';
import { connection, run, untilAnswered, useJavaDubboFixture } from '../dubbo/fixtures/java-dubbo-support.js';
import { typeMatrixService } from '../dubbo/fixtures/type-matrix.js';
import { NacosDiscovery } from '../nacos/index.js';
import { MeterRegistry } from './meter-registry.js';
import { withScope } from './spans.js';
import { Tracing } from './tracing.js';

const fixture = useJavaDubboFixture();
const exporter = new InMemorySpanExporter();
const tracing = new Tracing({
  serviceName: 'silk-order',
  samplingProbability: 1,
  produce: ['W3C', 'B3'],
  exporters: [exporter],
  exportImmediately: true,
});
const scope = { tracing, meters: new MeterRegistry({ application: 'silk-order' }) };
let svc: Record<string, (...a: unknown[]) => Promise<unknown>>;

beforeAll(async () => {
  const version = `3.0.${run}`;
  const java = spawnJava(fixture.jar, [
    'provider',
    connection.serverAddr,
    `java-dubbo-trace-provider-${run}`,
    String(await freePort()),
    version,
  ]);
  fixture.started.push(java);
  await java.waitForOutput(/READY \d+/, 120_000);
  const discovery = new NacosDiscovery({ connection, refreshIntervalMs: 1000 });
  fixture.started.push(discovery);
  const consumer = new DubboConsumer({
    discovery: new NacosProviderDiscovery(discovery),
    application: `silk-dubbo-trace-${run}`,
    timeout: 3000,
    drainMs: 100,
  });
  fixture.started.push(consumer);
  svc = consumer.reference(typeMatrixService(version)).proxy();
  await untilAnswered(() => svc.echo!('warm-up'), 60_000);
  fixture.started.push({ stop: () => tracing.shutdown() });
}, 240_000);

describe('trace context in Dubbo attachments, read by a Java Dubbo 3 provider', () => {
  it('carries the CLIENT span as W3C traceparent and B3 into the Java RpcContext', async () => {
    exporter.reset();
    const [traceparent, b3] = await withScope(scope, async () => [
      await svc.attachment!('traceparent'),
      await svc.attachment!('b3'),
    ]);
    const [first, second] = exporter.getFinishedSpans();
    const a = first!.spanContext();
    const b = second!.spanContext();
    expect(first!.name).toBe(`${typeMatrixService('x').interface}/attachment`);
    expect(traceparent).toBe(`00-${a.traceId}-${a.spanId}-01`);
    expect(b3).toBe(`${b.traceId}-${b.spanId}-1`);
  });
});

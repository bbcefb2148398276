import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { currentContext, runWithContext } from '../core/index.js';
import { ExchangeClient } from '../dubbo/exchange-client.js';
import { ExchangeServer, javaException, type ProviderCallContext } from '../dubbo/exchange-server.js';
import { staticProviders } from '../dubbo/provider-discovery.js';
import { DubboReference } from '../dubbo/reference.js';
import type { DubboServiceDefinition } from '../dubbo/service-definition.js';
import { createSentinel } from '../sentinel/index.js';
import { MeterRegistry } from './meter-registry.js';
import { promtoolCheck, sample } from './prometheus-test-support.js';
import { withScope } from './spans.js';
import { Tracing } from './tracing.js';

const def: DubboServiceDefinition = {
  interface: 'dev.silk.obs.Orders',
  methods: {
    place: { parameterTypes: ['java.lang.String'] },
    fail: { parameterTypes: [] },
    seen: { parameterTypes: [] },
  },
};
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const logger = { warn: () => undefined };

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function scope(service: string, produce?: ('W3C' | 'B3' | 'B3_MULTI')[]) {
  const exporter = new InMemorySpanExporter();
  const tracing = new Tracing({
    serviceName: service,
    samplingProbability: 1,
    exporters: [exporter],
    exportImmediately: true,
    ...(produce ? { produce } : {}),
  });
  const meters = new MeterRegistry({ application: service });
  cleanup.push(() => tracing.shutdown());
  return { tracing, meters, exporter };
}

async function pair(opts: { produce?: ('W3C' | 'B3' | 'B3_MULTI')[]; sentinel?: boolean } = {}) {
  const provider = scope('provider');
  const consumer = scope('consumer', opts.produce);
  const seen: Record<string, unknown>[] = [];
  const sentinel = opts.sentinel ? createSentinel() : undefined;
  if (sentinel) cleanup.push(() => sentinel.close());
  const server = new ExchangeServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    ...(sentinel ? { sentinel } : {}),
  });
  server.export(def, {
    place: (id: string) => `placed ${id}`,
    fail: () => Promise.reject(javaException('java.lang.IllegalStateException', 'no stock')),
    seen: (ctx: ProviderCallContext) => {
      seen.push({ ...ctx.attachments, silk: { ...currentContext() } });
      return 'ok';
    },
  });
  // The provider's process default: calls arrive outside any request of its own.
  const port = await withScope(provider, () => server.start());
  cleanup.push(() => server.stop(100));
  const client = new ExchangeClient({ logger });
  cleanup.push(() => client.close(100));
  const ref = new DubboReference(def, {
    client,
    discovery: staticProviders([`127.0.0.1:${port}`]),
    timeout: 2000,
  });
  return { provider, consumer, ref, seen, server, sentinel };
}

describe('Dubbo calls observed as Dubbo 3 observes them', () => {
  it('links consumer CLIENT span to provider SERVER span under the inbound trace, and times both sides', async () => {
    const { provider, consumer, ref } = await pair();
    await runWithContext({ traceparent: `00-${TRACE}-${PARENT}-01` }, () =>
      withScope(consumer, async () => {
        expect((await ref.invoke('place', ['o-1'])).value).toBe('placed o-1');
        await expect(ref.invoke('fail', [])).rejects.toMatchObject({
          javaClass: 'java.lang.IllegalStateException',
        });
      }),
    );
    const clientSpans = consumer.exporter.getFinishedSpans();
    const serverSpans = provider.exporter.getFinishedSpans();
    expect(clientSpans.every((s) => Number(s.kind) === Number(SpanKind.CLIENT))).toBe(true);
    expect(serverSpans.every((s) => Number(s.kind) === Number(SpanKind.SERVER))).toBe(true);
    const all = [...clientSpans, ...serverSpans];
    const client = clientSpans.find((s) => s.name === 'dev.silk.obs.Orders/place')!;
    const server = serverSpans.find((s) => s.name === 'dev.silk.obs.Orders/place')!;
    expect(client.spanContext().traceId).toBe(TRACE);
    expect(client.parentSpanContext?.spanId).toBe(PARENT);
    expect(server.spanContext().traceId).toBe(TRACE);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(client.attributes).toMatchObject({
      'rpc.system': 'apache_dubbo',
      'rpc.service': 'dev.silk.obs.Orders',
      'rpc.method': 'place',
    });
    const failed = all.find(
      (s) => Number(s.kind) === Number(SpanKind.CLIENT) && s.name === 'dev.silk.obs.Orders/fail',
    )!;
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);

    const scrape = await promtoolCheck(await consumer.meters.scrape());
    expect(scrape.problems).toEqual([]);
    const ok = sample(scrape, 'rpc_client_duration_seconds', { rpc_method: 'place' });
    expect(ok.labels).toMatchObject({
      rpc_system: 'apache_dubbo',
      rpc_service: 'dev.silk.obs.Orders',
      error: 'none',
      application: 'consumer',
    });
    expect(ok.count).toBe(1);
    expect(sample(scrape, 'rpc_client_duration_seconds', { rpc_method: 'fail' }).labels.error).toBe(
      'DubboRemoteException',
    );
    const served = await promtoolCheck(await provider.meters.scrape());
    expect(sample(served, 'rpc_server_duration_seconds', { rpc_method: 'place' }).labels.error).toBe('none');
  });

  it('sends B3 to a Sleuth-era provider when told to, and a provider reads B3 attachments from a Java consumer', async () => {
    const { consumer, ref, seen } = await pair({ produce: ['W3C', 'B3_MULTI'] });
    await withScope(consumer, () => ref.invoke('seen', []));
    const att = seen[0]!;
    const client = consumer.exporter.getFinishedSpans()[0]!;
    expect(att.traceparent).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    // OpenTelemetry's B3 propagator writes the keys in lower case; Dubbo 3 and Brave read either.
    expect(att['x-b3-traceid']).toBe(client.spanContext().traceId);
    expect(att['x-b3-spanid']).toBe(client.spanContext().spanId);

    // A Java consumer under Brave: B3 single header, no traceparent, XID beside it.
    const { provider: p2, server, seen: seen2 } = await pair();
    const raw = new ExchangeClient({ logger });
    cleanup.push(() => raw.close(100));
    const direct = new DubboReference(def, {
      client: raw,
      discovery: staticProviders([`127.0.0.1:${server.port}`]),
    });
    // Outside any scope, with no service default, the consumer sends only what it is given.
    await direct.invoke('seen', [], {
      attachments: { b3: `${TRACE}-${PARENT}-1`, TX_XID: '10.0.0.1:8091:77' },
    });
    const silk = seen2[0]!.silk as Record<string, string>;
    expect(silk.xid).toBe('10.0.0.1:8091:77');
    const span = p2.exporter.getFinishedSpans().find((s) => s.name === 'dev.silk.obs.Orders/seen')!;
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(silk.traceparent).toBe(`00-${TRACE}-${span.spanContext().spanId}-01`);
  });

  it('a Sentinel block on the provider is an error span inside the SERVER span', async () => {
    const { provider, consumer, ref, sentinel } = await pair({ sentinel: true });
    sentinel!.flowRules.loadRules([{ resource: 'dev.silk.obs.Orders:place(java.lang.String)', count: 0 }]);
    await expect(withScope(consumer, () => ref.invoke('place', ['x']))).rejects.toThrow(/Blocked|block/i);
    const spans = provider.exporter.getFinishedSpans();
    const block = spans.find((s) => s.name.startsWith('sentinel.block '))!;
    const serverSpan = spans.find((s) => Number(s.kind) === Number(SpanKind.SERVER))!;
    expect(block.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
    expect(block.attributes['sentinel.block.kind']).toBeDefined();
  });
});

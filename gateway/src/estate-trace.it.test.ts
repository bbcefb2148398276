/**
 * One request through the estate's every transport, seen as one trace: a client calls the
 * gateway; the gateway proxies to the order service over HTTP; order calls the storage
 * service over Dubbo (real TCP, Hessian) and announces the order on the stack's RocketMQ; the
 * notification service consumes the event. Each hop exports to one in-test Zipkin receiver
 * (POST /api/v2/spans, JSON v2), and the spans must form a single tree, each child naming
 * its parent across process-style boundaries (separate tracing, meters and scope per service).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '@silk/stack/config';
import { deleteConsumerGroups, ensureConsumerGroups, ensureTopics } from '@silk/stack/rocketmq';
import {
  DubboConsumer,
  DubboProvider,
  staticProviders,
  type DubboServiceDefinition,
} from '@silk/platform-sdk/dubbo';
import { ServiceObservability, observeHttpServer, withScope } from '@silk/platform-sdk/observability';
import { MessageConsumer, MessageProducer, type MqLogger } from '@silk/platform-sdk/rocketmq';
import { createGatewayServer } from './fastify-adapter.js';
import { Gateway } from './gateway.js';

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
}

const run = `${process.pid}-${Date.now().toString(36)}`;
const TOPIC = `silk-obs-estate-${run}`;
const GROUP = `silk-obs-estate-${run}`;
const storageDef: DubboServiceDefinition = {
  interface: 'dev.silk.estate.StorageService',
  methods: { deduct: { parameterTypes: ['java.lang.String', 'int'], returnType: 'boolean' } },
};
const quiet: MqLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const spans: ZipkinSpan[] = [];
const stops: (() => unknown)[] = [];
let zipkin: Server;
let gatewayUrl = '';
let delivered: (tp: string | undefined) => void;
const event = new Promise<string | undefined>((r) => (delivered = r));

function observability(name: string, zipkinUrl: string): ServiceObservability {
  const obs = new ServiceObservability({
    application: name,
    bootstrap: {
      'management.tracing.sampling.probability': '1.0',
      'management.zipkin.tracing.endpoint': zipkinUrl,
    },
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
    exportImmediately: true,
  });
  stops.push(() => obs.stop());
  return obs;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  stops.push(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  zipkin = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/spans')
        spans.push(...(JSON.parse(body) as ZipkinSpan[]));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => zipkin.listen(0, '127.0.0.1', r));
  const zipkinUrl = `http://127.0.0.1:${(zipkin.address() as AddressInfo).port}/api/v2/spans`;
  try {
    await ensureTopics([{ name: TOPIC, messageType: 'NORMAL' }]);
    await ensureConsumerGroups([{ name: GROUP }]);
  } catch (err) {
    throw new Error(`RocketMQ not usable (proxy ${endpoints.rocketmqProxy}) — run \`pnpm stack up\``, {
      cause: err,
    });
  }

  // notification: consumes the order event.
  const notification = observability('notification', zipkinUrl);
  const consumer = new MessageConsumer({
    endpoints: endpoints.rocketmqProxy,
    consumerGroup: GROUP,
    subscriptions: [{ topic: TOPIC }],
    logger: quiet,
    handler: (m) => {
      delivered(m.properties.traceparent);
      return Promise.resolve();
    },
  });
  await withScope(notification, () => consumer.start());
  stops.push(() => consumer.stop());

  // storage: a Dubbo provider.
  const storage = observability('storage', zipkinUrl);
  const provider = new DubboProvider({ port: 0, host: '127.0.0.1' }).export(storageDef, {
    deduct: (_sku: string, n: number) => n <= 10,
  });
  await withScope(storage, () => provider.start());
  stops.push(() => provider.stop());

  // order: HTTP in, Dubbo and RocketMQ out.
  const order = observability('order', zipkinUrl);
  const dubbo = new DubboConsumer({
    discovery: staticProviders([`127.0.0.1:${provider.port}`]),
    application: 'order',
  });
  stops.push(() => dubbo.stop());
  const stock = dubbo.reference(storageDef).proxy<{ deduct(sku: string, n: number): Promise<boolean> }>();
  const producer = new MessageProducer({
    endpoints: endpoints.rocketmqProxy,
    topics: [{ name: TOPIC, messageType: 'NORMAL' }],
    logger: quiet,
  });
  await producer.start();
  stops.push(() => producer.stop());
  const orderApp = Fastify();
  observeHttpServer(orderApp, order);
  orderApp.post('/orders/:sku', async (req) => {
    const { sku } = req.params as { sku: string };
    const ok = await stock.deduct(sku, 2);
    await producer.send({ topic: TOPIC, body: JSON.stringify({ sku }), tag: 'OrderPlaced' });
    return { ok };
  });
  const orderUrl = await listen(orderApp);

  // the gateway, on its own bare server.
  const gatewayObs = observability('gateway', zipkinUrl);
  const gateway = new Gateway({ observability: gatewayObs });
  gateway.load(
    `
spring.cloud.gateway.routes:
  - id: order
    uri: ${orderUrl}
    predicates: [Path=/api/orders/**]
    filters: [StripPrefix=1]
`,
    'estate-test',
  );
  const gwServer = createGatewayServer(gateway);
  await new Promise<void>((r) => gwServer.listen(0, '127.0.0.1', r));
  stops.push(
    () => gateway.close(),
    () => new Promise((r) => gwServer.close(r)),
  );
  gatewayUrl = `http://127.0.0.1:${(gwServer.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  for (const s of stops.reverse()) await s();
  await deleteConsumerGroups([GROUP]).catch(() => undefined);
  await new Promise((r) => zipkin.close(r));
}, 120_000);

describe('one request through gateway, HTTP, Dubbo and RocketMQ', () => {
  it('yields one trace whose spans link parent to child across every hop', async () => {
    const res = await request(`${gatewayUrl}/api/orders/sku-1`, { method: 'POST' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ ok: true });
    const carried = await Promise.race([
      event,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event within 30 s')), 30_000)),
    ]);
    // The consumer's span ends just after the handler returns.
    const want = 7;
    for (let i = 0; i < 50 && spans.length < want; i++) await new Promise((r) => setTimeout(r, 100));

    const traceIds = new Set(spans.map((s) => s.traceId));
    expect(traceIds.size).toBe(1);
    const find = (service: string, kind: string, name?: RegExp) => {
      const hits = spans.filter(
        (s) =>
          s.localEndpoint?.serviceName === service &&
          s.kind === kind &&
          (name === undefined || name.test(s.name)),
      );
      expect(
        hits,
        `${service} ${kind} ${String(name)} in ${JSON.stringify(spans.map((s) => [s.localEndpoint?.serviceName, s.kind, s.name]))}`,
      ).toHaveLength(1);
      return hits[0]!;
    };
    const gwServer = find('gateway', 'SERVER');
    const gwClient = find('gateway', 'CLIENT');
    const orderServer = find('order', 'SERVER');
    const dubboClient = find('order', 'CLIENT', /StorageService\/deduct/i);
    const dubboServer = find('storage', 'SERVER');
    const publish = find('order', 'PRODUCER');
    const consume = find('notification', 'CONSUMER');

    expect(gwServer.parentId).toBeUndefined();
    expect(gwClient.parentId).toBe(gwServer.id);
    expect(orderServer.parentId).toBe(gwClient.id);
    expect(dubboClient.parentId).toBe(orderServer.id);
    expect(dubboServer.parentId).toBe(dubboClient.id);
    expect(publish.parentId).toBe(orderServer.id);
    expect(consume.parentId).toBe(publish.id);
    expect(carried).toBe(`00-${publish.traceId}-${publish.id}-01`);
  }, 60_000);
});

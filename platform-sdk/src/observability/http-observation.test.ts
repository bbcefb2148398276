import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext } from '../core/index.js';
import { ServiceClient } from '../http/index.js';
import { MeterRegistry, Tracing, observeHttpServer } from './index.js';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';
const SLEUTH_SPAN = 'a2fb4a1d1a96d312';

interface Node {
  app: FastifyInstance;
  exporter: InMemorySpanExporter;
  meters: MeterRegistry;
  tracing: Tracing;
  port: number;
}

async function node(name: string, routes: (app: FastifyInstance) => void): Promise<Node> {
  const exporter = new InMemorySpanExporter();
  const tracing = new Tracing({
    serviceName: name,
    samplingProbability: 1,
    exporters: [exporter],
    exportImmediately: true,
  });
  const meters = new MeterRegistry({ application: name });
  const app = Fastify();
  observeHttpServer(app, { tracing, meters });
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  return { app, exporter, meters, tracing, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

let front: Node;
let back: Node;
let client: ServiceClient;
const seenByBack: Record<string, unknown>[] = [];

beforeAll(async () => {
  back = await node('storage-service', (app) => {
    app.get('/stock/:sku', (req) => {
      seenByBack.push({ headers: req.headers, ctx: { ...currentContext() } });
      return { sku: (req.params as { sku: string }).sku, left: 3 };
    });
  });
  client = new ServiceClient({
    discovery: { choose: () => Promise.resolve({ ip: '127.0.0.1', port: back.port, metadata: {} }) },
  });
  front = await node('order-service', (app) => {
    app.get('/orders/:id', async () => {
      const res = await client.call('http://storage-service/stock/42', { uriTemplate: '/stock/{sku}' });
      return { order: 1, stock: await res.json() };
    });
    app.get('/boom', () => {
      throw new TypeError('bad order');
    });
  });
});

afterAll(async () => {
  await client?.close();
  await front?.app.close();
  await back?.app.close();
});

describe('HTTP server and client observed', () => {
  it('B3 from a Sleuth caller in, traceparent out, spans linked server → client → server', async () => {
    const res = await fetch(`http://127.0.0.1:${front.port}/orders/7`, {
      headers: {
        'X-B3-TraceId': TRACE,
        'X-B3-SpanId': SLEUTH_SPAN,
        'X-B3-Sampled': '1',
        TX_XID: '10.0.0.1:8091:77',
      },
    });
    expect(res.status).toBe(200);
    const [frontClient, frontServer] = front.exporter.getFinishedSpans();
    const [backServer] = back.exporter.getFinishedSpans();
    expect(frontServer!.name).toBe('GET /orders/{id}');
    expect(frontServer!.spanContext().traceId).toBe(TRACE);
    expect(frontServer!.parentSpanContext?.spanId).toBe(SLEUTH_SPAN);
    expect(frontClient!.name).toBe('GET /stock/{sku}');
    expect(frontClient!.parentSpanContext?.spanId).toBe(frontServer!.spanContext().spanId);
    expect(backServer!.parentSpanContext?.spanId).toBe(frontClient!.spanContext().spanId);
    expect(backServer!.resource.attributes['service.name']).toBe('storage-service');
    const seen = seenByBack[0] as { headers: Record<string, string>; ctx: Record<string, string> };
    expect(seen.headers.traceparent).toBe(`00-${TRACE}-${frontClient!.spanContext().spanId}-01`);
    expect(seen.headers.tx_xid).toBe('10.0.0.1:8091:77');
    expect(seen.ctx.xid).toBe('10.0.0.1:8091:77');
  });

  it('times requests with Micrometer names and tags', async () => {
    await fetch(`http://127.0.0.1:${front.port}/boom`);
    await fetch(`http://127.0.0.1:${front.port}/nowhere`);
    const json = await front.meters.registry.getMetricsAsJSON();
    const values = (name: string) =>
      json.flatMap((m) =>
        m.values.filter((v) => ((v as { metricName?: string }).metricName ?? m.name) === name),
      );
    const one = (name: string, labels: Record<string, string>) => {
      const hits = values(name).filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
      expect(hits, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
      return hits[0]!;
    };
    const count = 'http_server_requests_seconds_count';
    expect(one(count, { uri: '/orders/{id}' }).labels).toEqual({
      application: 'order-service',
      method: 'GET',
      uri: '/orders/{id}',
      status: '200',
      outcome: 'SUCCESS',
      exception: 'none',
      error: 'none',
    });
    expect(one(count, { uri: '/boom' }).labels).toMatchObject({
      status: '500',
      outcome: 'SERVER_ERROR',
      exception: 'TypeError',
    });
    expect(one(count, { uri: 'NOT_FOUND' }).labels).toMatchObject({ status: '404', outcome: 'CLIENT_ERROR' });
    expect(
      one('http_client_requests_seconds_count', { client_name: 'storage-service' }).labels,
    ).toMatchObject({
      uri: '/stock/{sku}',
      status: '200',
      outcome: 'SUCCESS',
    });
    const max = one('http_server_requests_seconds_max', { uri: '/orders/{id}' }).value;
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(one('http_server_requests_seconds_sum', { uri: '/orders/{id}' }).value);
    const boom = front.exporter.getFinishedSpans().find((s) => s.name === 'GET /boom');
    expect(boom?.status.code).toBe(2);
  });
});

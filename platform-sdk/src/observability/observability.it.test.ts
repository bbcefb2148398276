/**
 * Two Silk services on the stack's Nacos, one calling the other by name over HTTP, observed
 * end to end: a request arriving with Sleuth's B3 headers and a Seata XID yields one trace in
 * an in-test Zipkin receiver (POST /api/v2/spans, Zipkin's JSON v2), spans linked parent to
 * child across both services; the callee sees W3C `traceparent` (and B3, which the caller is
 * told to produce from its Nacos dataId); every log line written in the request carries the
 * trace id, span id and XID; `logging.level.root` edited in Nacos changes the level live (and
 * `/actuator/loggers` shows it and sets it back); and
 * `/actuator/prometheus` passes Prometheus's own parser and linter.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, type SilkService } from '../fastify/index.js';
import { publishConfig, testBootstrap } from '../fastify/fixtures/test-support.js';
import { ServiceClient } from '../http/index.js';
import { promtoolCheck, sample } from './prometheus-test-support.js';

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const TRACE = '463ac35c9f6413ad48485a3953bb6124';
const SLEUTH_SPAN = 'a2fb4a1d1a96d312';
const XID = '127.0.0.1:8091:2612';
const front = `silk-obs-front-${process.pid}`;
const back = `silk-obs-back-${process.pid}`;
const spans: ZipkinSpan[] = [];
const logs: Record<string, Record<string, unknown>[]> = { [front]: [], [back]: [] };
let zipkin: Server;
let zipkinUrl = '';
const services: SilkService<unknown>[] = [];
let client: ServiceClient;
const seenByBack: Record<string, string | string[] | undefined>[] = [];

function logSink(name: string): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        logs[name]!.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
}

const url = (svc: SilkService<unknown>, path: string) => `http://127.0.0.1:${svc.port()}${path}`;

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
  zipkinUrl = `http://127.0.0.1:${(zipkin.address() as AddressInfo).port}/api/v2/spans`;

  // The caller's tracing comes from its Nacos dataId; the callee's from its bootstrap file.
  await publishConfig(
    `${front}.yaml`,
    'DEFAULT_GROUP',
    [
      'logging.level.root: info',
      'management:',
      '  tracing:',
      '    sampling.probability: 1.0',
      '    propagation.produce: [W3C, B3]',
      `  zipkin.tracing.endpoint: ${zipkinUrl}`,
    ].join('\n'),
    'yaml',
  );
  await publishConfig(`${back}.yaml`, 'DEFAULT_GROUP', 'logging.level.root: info\n', 'yaml');
  await new Promise((r) => setTimeout(r, 1500)); // let the publishes reach Nacos' read cache

  const backSvc = createService({
    name: back,
    configSchema: z.object({}).passthrough(),
    handleSignals: false,
    bootstrap: testBootstrap({
      defaults: {
        'management.tracing.sampling.probability': '1.0',
        'management.zipkin.tracing.endpoint': zipkinUrl,
      },
    }),
    observability: { logDestination: logSink(back), exportImmediately: true },
    routes: (app) => {
      app.get('/stock/:sku', (req) => {
        seenByBack.push(req.headers);
        req.log.info({ sku: (req.params as { sku: string }).sku }, 'stock checked');
        return { left: 3 };
      });
    },
  });
  const frontSvc = createService({
    name: front,
    configSchema: z.object({}).passthrough(),
    handleSignals: false,
    bootstrap: testBootstrap(),
    observability: { logDestination: logSink(front), exportImmediately: true },
    routes: (app, ctx) => {
      client = new ServiceClient({ discovery: ctx.discovery });
      app.get('/orders/:id', async (req) => {
        req.log.debug('debug line about to call storage');
        const res = await client.call(`http://${back}/stock/42`, { uriTemplate: '/stock/{sku}' });
        req.log.info('order placed');
        return { order: (req.params as { id: string }).id, stock: await res.json() };
      });
    },
  });
  services.push(backSvc as SilkService<unknown>, frontSvc as SilkService<unknown>);
  for (const s of services) await s.start();
  // Nacos' instance-list cache: wait until the caller can see the callee.
  const deadline = Date.now() + 20_000;
  while ((await frontSvc.discovery.getInstances(back)).length === 0) {
    if (Date.now() > deadline) throw new Error(`${back} never became visible in Nacos`);
    await new Promise((r) => setTimeout(r, 300));
  }
}, 90_000);

afterAll(async () => {
  await client?.close();
  for (const s of services.reverse()) await s.stop();
  zipkin?.close();
});

describe('observability across two Silk services', () => {
  it('one trace from a Sleuth caller through both services, linked parent to child, in Zipkin', async () => {
    const res = await fetch(url(services[1]!, '/orders/7'), {
      headers: { 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SLEUTH_SPAN, 'X-B3-Sampled': '1', TX_XID: XID },
    });
    expect(res.status).toBe(200);
    const ofTrace = () => spans.filter((s) => s.traceId === TRACE);
    await expect.poll(() => ofTrace().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const frontServer = ofTrace().find((s) => s.kind === 'SERVER' && s.localEndpoint?.serviceName === front)!;
    const frontClient = ofTrace().find((s) => s.kind === 'CLIENT' && s.localEndpoint?.serviceName === front)!;
    const backServer = ofTrace().find((s) => s.kind === 'SERVER' && s.localEndpoint?.serviceName === back)!;
    expect(frontServer.name.toLowerCase()).toBe('get /orders/{id}');
    expect(frontServer.parentId).toBe(SLEUTH_SPAN);
    expect(frontClient.parentId).toBe(frontServer.id);
    expect(backServer.parentId).toBe(frontClient.id);

    // B3 in, traceparent out — and b3 too, as the caller's dataId asks.
    const headers = seenByBack.at(-1)!;
    expect(headers.traceparent).toBe(`00-${TRACE}-${frontClient.id}-01`);
    expect(headers.b3).toBe(`${TRACE}-${frontClient.id}-1`);
    expect(headers.tx_xid).toBe(XID);

    // Every line written inside the request names the trace, its span and the XID.
    const backLine = logs[back]!.find((l) => l.msg === 'stock checked')!;
    expect(backLine).toMatchObject({ traceId: TRACE, spanId: backServer.id, 'X-TX-XID': XID });
    const frontLine = logs[front]!.find((l) => l.msg === 'order placed')!;
    expect(frontLine).toMatchObject({ traceId: TRACE, spanId: frontServer.id, 'X-TX-XID': XID });
  });

  it('logging.level.root edited in Nacos changes the running level', async () => {
    const debugLines = () => logs[front]!.filter((l) => l.msg === 'debug line about to call storage').length;
    await fetch(url(services[1]!, '/orders/1'));
    expect(debugLines()).toBe(0);
    await publishConfig(
      `${front}.yaml`,
      'DEFAULT_GROUP',
      [
        'logging.level.root: DEBUG',
        'management:',
        '  tracing:',
        '    sampling.probability: 1.0',
        '    propagation.produce: [W3C, B3]',
        `  zipkin.tracing.endpoint: ${zipkinUrl}`,
      ].join('\n'),
      'yaml',
    );
    await expect
      .poll(
        async () => {
          await fetch(url(services[1]!, '/orders/2'));
          return debugLines();
        },
        { timeout: 40_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    // Spring Boot Admin's view of the same: /actuator/loggers, then a level set through it.
    const root = async () => (await fetch(url(services[1]!, '/actuator/loggers/ROOT'))).json();
    expect(await root()).toEqual({ configuredLevel: 'DEBUG', effectiveLevel: 'DEBUG' });
    const set = await fetch(url(services[1]!, '/actuator/loggers/ROOT'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ configuredLevel: 'INFO' }),
    });
    expect(set.status).toBe(204);
    expect(await root()).toEqual({ configuredLevel: 'INFO', effectiveLevel: 'INFO' });
    const before = debugLines();
    await fetch(url(services[1]!, '/orders/3'));
    expect(debugLines()).toBe(before);
  }, 60_000);

  it('/actuator/prometheus passes Prometheus parsing and lint, with HTTP, process and Sentinel series', async () => {
    await fetch(url(services[1]!, '/orders/3'));
    let scrape = await promtoolCheck(await (await fetch(url(services[1]!, '/actuator/prometheus'))).text());
    // The linter's only complaints are names kept on purpose: prom-client's own Node gauges
    // (`nodejs_active_*_total`) and Micrometer's `system_cpu_count`, which Spring Boot exports
    // under that name too and dashboards query.
    expect(scrape.problems.map((p) => p.Metric).sort()).toEqual([
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
      'system_cpu_count',
    ]);
    const served = sample(scrape, 'http_server_requests_seconds', { uri: '/orders/{id}', status: '200' });
    expect(served.labels).toMatchObject({
      application: front,
      method: 'GET',
      outcome: 'SUCCESS',
      exception: 'none',
    });
    expect(served.count).toBeGreaterThanOrEqual(1);
    expect(sample(scrape, 'http_client_requests_seconds', { client_name: back }).labels.uri).toBe(
      '/stock/{sku}',
    );
    for (const f of [
      'process_uptime_seconds',
      'process_cpu_usage',
      'jvm_memory_used_bytes',
      'process_cpu_seconds_total',
    ])
      expect(scrape.families.has(f), f).toBe(true);
    // Sentinel guards routes in createService: the last completed second shows the pass.
    const family = front.replace(/-/g, '_');
    await expect
      .poll(
        async () => {
          await fetch(url(services[1]!, '/orders/4'));
          await new Promise((r) => setTimeout(r, 1100));
          scrape = await promtoolCheck(await (await fetch(url(services[1]!, '/actuator/prometheus'))).text());
          return scrape.families.get(family)?.metrics.find((m) => m.labels.type === 'passQps')?.value ?? 0;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    expect(scrape.families.get(family)?.help).toBe('sentinel_metrics');
  }, 60_000);
});

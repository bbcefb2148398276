import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterRegistry, SpanKind, Tracing, type TracingOptions } from '@silk/platform-sdk/observability';
import type { AccessLogEntry } from './gateway.js';
import { gatewayHttpTags, httpStatusName } from './observation.js';
import { startGateway, startUpstream, type GatewayUnderTest, type Upstream } from './test-support.js';

type Exporter = NonNullable<TracingOptions['exporters']>[number];
type Finished = Parameters<Exporter['export']>[0][number];

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SLEUTH_SPAN = '00f067aa0ba902b7';
const spans: Finished[] = [];
const collector: Exporter = {
  export: (batch, done) => (spans.push(...batch), done({ code: 0 })),
  shutdown: () => Promise.resolve(),
};
const tracing = new Tracing({
  serviceName: 'silk-gateway',
  samplingProbability: 1,
  exporters: [collector],
  exportImmediately: true,
});
const meters = new MeterRegistry({ application: 'silk-gateway' });
const log: AccessLogEntry[] = [];
let up: Upstream;
let gw: GatewayUnderTest;

beforeAll(async () => {
  up = await startUpstream('orders');
  gw = await startGateway(
    { observability: { tracing, meters }, accessLog: (e) => log.push(e) },
    `
spring:
  cloud:
    gateway:
      routes:
        - id: orders
          uri: ${up.origin}
          predicates: [Path=/orders/**]
          filters: [StripPrefix=1]
`,
  );
});

afterAll(async () => {
  await gw.close();
  await up.close();
  await tracing.shutdown();
});

describe('the gateway observed as Spring Cloud Gateway 4 on Boot 3', () => {
  it('continues a Sleuth client trace (B3) through a SERVER and a CLIENT span to the upstream, in W3C', async () => {
    const r = await request(`${gw.url}/orders/echo`, { headers: { b3: `${TRACE}-${SLEUTH_SPAN}-1` } });
    const seen = (await r.body.json()) as { headers: Record<string, string> };
    const server = spans.find((s) => Number(s.kind) === Number(SpanKind.SERVER))!;
    const client = spans.find((s) => Number(s.kind) === Number(SpanKind.CLIENT))!;
    expect(server.spanContext().traceId).toBe(TRACE);
    expect(server.parentSpanContext?.spanId).toBe(SLEUTH_SPAN);
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(server.attributes['http.route']).toBe('orders');
    expect(client.name).toBe('GET orders');
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    // The upstream sees the gateway's CLIENT span as its parent, and no stale B3 of the client's hop.
    expect(seen.headers.traceparent).toBe(`00-${TRACE}-${client.spanContext().spanId}-01`);
    expect(seen.headers.b3).toBeUndefined();
    expect(log.at(-1)).toMatchObject({ routeId: 'orders', status: 200, traceId: TRACE });
  });

  it('starts a trace when the client sent none', async () => {
    spans.length = 0;
    const r = await request(`${gw.url}/orders/echo`);
    const seen = (await r.body.json()) as { headers: Record<string, string> };
    const client = spans.find((s) => Number(s.kind) === Number(SpanKind.CLIENT))!;
    expect(seen.headers.traceparent).toBe(
      `00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`,
    );
    expect(log.at(-1)!.traceId).toBe(client.spanContext().traceId);
  });

  it('times routed requests as spring.cloud.gateway.requests with SCG tags', async () => {
    await (await request(`${gw.url}/orders/status/404`)).body.text();
    await (await request(`${gw.url}/unrouted`)).body.text();
    const text = await meters.scrape();
    const count = (labels: string) =>
      Number(
        new RegExp(`^spring_cloud_gateway_requests_seconds_count\\{([^}]*)\\} (\\d+)$`, 'm').exec(
          text
            .split('\n')
            .filter((l) => l.includes(labels))
            .join('\n'),
        )?.[2] ?? NaN,
      );
    const ok = `routeId="orders",routeUri="${up.origin}",outcome="SUCCESSFUL",status="OK",httpStatusCode="200",httpMethod="GET"`;
    expect(count(ok)).toBe(2);
    expect(count('outcome="CLIENT_ERROR",status="NOT_FOUND",httpStatusCode="404"')).toBe(1);
    // GatewayMetricsFilter is a global filter: a request no route took is not counted.
    expect(text).not.toContain('routeId=""');
    expect(text).toMatch(/^spring_cloud_gateway_requests_seconds_max\{[^}]*routeId="orders"/m);
  });

  it('times requests taken past Fastify as http_server_requests, uri UNKNOWN as SCG, once each', async () => {
    const count = async (labels: string): Promise<number> => {
      const line = (await meters.scrape()).split('\n').find((l) => l.startsWith('http_server_requests_seconds_count{') && l.includes(labels));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const ok = 'method="GET",uri="UNKNOWN",status="200",outcome="SUCCESS",exception="none",error="none"';
    const notFound = 'uri="NOT_FOUND",status="404",outcome="CLIENT_ERROR",exception="NoRouteError"';
    const before = await count(ok);
    const missesBefore = await count(notFound);
    // The raw front, then node:http (a body makes the front hand the connection over).
    await (await request(`${gw.url}/orders/echo`)).body.text();
    await (await request(`${gw.url}/orders/echo`, { method: 'POST', body: 'abc' })).body.text();
    await (await request(`${gw.url}/unrouted`)).body.text();
    expect(await count(ok)).toBe(before + 1);
    expect(await count('method="POST",uri="UNKNOWN",status="200"')).toBe(1);
    expect(await count(notFound)).toBe(missesBefore + 1);
    // Through Fastify's catch-all the framework's hooks time the request, not the gateway.
    await gw.app.inject({ method: 'GET', url: '/orders/echo' });
    expect(await count(ok)).toBe(before + 1);
    // The access log line is written after inject() has let go of its mock socket.
    await new Promise((r) => setTimeout(r, 20));
    expect(log.at(-1)).toMatchObject({ path: '/orders/echo', status: 200 });
  });

  it("spells statuses as Spring's HttpStatus does, CUSTOM for codes it has no constant for", () => {
    expect(httpStatusName(200)).toBe('OK');
    expect(httpStatusName(416)).toBe('REQUESTED_RANGE_NOT_SATISFIABLE');
    expect(httpStatusName(418)).toBe('I_AM_A_TEAPOT');
    expect(httpStatusName(505)).toBe('HTTP_VERSION_NOT_SUPPORTED');
    expect(httpStatusName(503)).toBe('SERVICE_UNAVAILABLE');
    expect(gatewayHttpTags(599, 'POST')).toMatchObject({
      outcome: 'CUSTOM',
      status: '599',
      httpStatusCode: '599',
    });
  });
});

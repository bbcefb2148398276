/**
 * A trace crossing between Java and Silk over HTTP, both ways, in both wire formats: the
 * `tracing-app` fixture is a stock Spring Boot 3.5 app on Micrometer Tracing + Brave (Boot's
 * auto-configuration, RestClient observed by Boot). One JVM speaks W3C (Boot's default), the
 * other B3 (`management.tracing.propagation.type=B3`, as a Sleuth-era estate). The Silk service
 * consumes both and produces W3C and B3, as a Silk service in a mixed estate would be set.
 *
 *   Java -> Silk -> Java : the trace Java starts is the one Silk continues and hands back
 *   Silk -> Java -> Silk : the trace Silk starts is the one Java continues and hands back
 * Each hop's parent is the previous hop's client span.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJavaFixture, freePort, spawnJava, type JavaProcess } from '@silk/stack/java-fixture';
import { observeClientCall } from './http-client.js';
import { observeHttpServer } from './http-server.js';
import { ServiceObservability } from './service-observability.js';
import { currentTraceIds } from './spans.js';

interface JavaHop {
  traceId: string;
  spanId: string;
  parentId: string | null;
  inTraceparent: string | null;
  inB3: string | null;
  inB3TraceId: string | null;
  next?: Hop;
}
interface SilkHop {
  traceId: string;
  spanId: string;
  traceparent?: string;
  b3?: string;
  /** The span id of Silk's CLIENT span for the next hop (from the traceparent it sent). */
  clientSpanId?: string;
  next?: Hop;
}
type Hop = JavaHop | SilkHop;

const javas: Record<'w3c' | 'b3', { proc: JavaProcess; url: string }> = {} as never;
let silk: FastifyInstance;
let silkUrl = '';
let obs: ServiceObservability;

beforeAll(async () => {
  const jar = buildJavaFixture('tracing-app', 'tracing-app.jar');
  const start = async (b3: boolean) => {
    const port = await freePort();
    const proc = spawnJava(jar, [
      `--server.port=${port}`,
      ...(b3 ? ['--management.tracing.propagation.type=B3'] : []),
    ]);
    return { proc, url: `http://127.0.0.1:${port}` };
  };
  javas.w3c = await start(false);
  javas.b3 = await start(true);

  obs = new ServiceObservability({
    application: 'silk-orders',
    bootstrap: {
      'management.tracing.sampling.probability': '1.0',
      'management.tracing.propagation.produce': 'W3C,B3',
    },
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  silk = Fastify();
  observeHttpServer(silk, obs);
  silk.get('/hop', async (req) => {
    const { next } = req.query as { next?: string };
    const ids = currentTraceIds()!;
    const out: SilkHop = { traceId: ids.traceId, spanId: ids.spanId };
    if (typeof req.headers.traceparent === 'string') out.traceparent = req.headers.traceparent;
    if (typeof req.headers.b3 === 'string') out.b3 = req.headers.b3;
    if (next) {
      const res = await observeClientCall(
        { clientName: 'java', method: 'GET', url: next, uriTemplate: '/hop' },
        async (headers) => {
          out.clientSpanId = headers.traceparent?.split('-')[2];
          const r = await request(next, { headers });
          return { status: r.statusCode, body: (await r.body.json()) as Hop };
        },
      );
      out.next = res.body;
    }
    return out;
  });
  await silk.listen({ port: 0, host: '127.0.0.1' });
  silkUrl = `http://127.0.0.1:${(silk.server.address() as { port: number }).port}`;
  await Promise.all(
    [javas.w3c.proc, javas.b3.proc].map((p) => p.waitForOutput(/TRACING-APP READY/, 120_000)),
  );
}, 600_000);

afterAll(async () => {
  await silk?.close();
  await obs?.stop();
  for (const j of Object.values(javas)) await j.proc.stop();
});

const get = async (url: string): Promise<Hop> => (await (await request(url)).body.json()) as Hop;

describe.each(['w3c', 'b3'] as const)('Java (%s) and Silk share one trace over HTTP', (format) => {
  it('a trace started in Java continues into Silk and back into Java', async () => {
    const java = javas[format].url;
    const back = `${java}/hop`;
    const first = (await get(
      `${java}/hop?next=${encodeURIComponent(`${silkUrl}/hop?next=${encodeURIComponent(back)}`)}`,
    )) as JavaHop;
    const inSilk = first.next as SilkHop;
    const last = inSilk.next as JavaHop;
    expect(first.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(inSilk.traceId).toBe(first.traceId);
    expect(last.traceId).toBe(first.traceId);
    // Silk read the format Java sent; Java read the one Silk sent back.
    if (format === 'w3c') expect(inSilk.traceparent).toContain(first.traceId);
    else expect(inSilk.b3).toContain(first.traceId);
    if (format === 'w3c') expect(last.inTraceparent).toContain(first.traceId);
    else expect(last.inB3).toContain(first.traceId);
    // Java's server span on the way back is a child of Silk's client span, itself under Silk's server span.
    expect(last.parentId).toBe(inSilk.clientSpanId);
    expect(inSilk.clientSpanId).not.toBe(inSilk.spanId);
  });

  it('a trace started in Silk continues into Java and back into Silk', async () => {
    const java = javas[format].url;
    const first = (await get(
      `${silkUrl}/hop?next=${encodeURIComponent(`${java}/hop?next=${encodeURIComponent(`${silkUrl}/hop`)}`)}`,
    )) as SilkHop;
    const inJava = first.next as JavaHop;
    const last = inJava.next as SilkHop;
    expect(inJava.traceId).toBe(first.traceId);
    expect(last.traceId).toBe(first.traceId);
    if (format === 'w3c') {
      expect(inJava.inTraceparent).toContain(first.traceId);
      expect(last.traceparent).toContain(first.traceId);
    } else {
      expect(inJava.inB3).toContain(first.traceId);
      expect(last.b3).toContain(first.traceId);
    }
    expect(inJava.parentId).toBe(first.clientSpanId);
  });
});

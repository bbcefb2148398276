/**
 * For the export tests: a collector answering POSTs (Zipkin and OTLP alike) that keeps each
 * parsed body, and spans covering every field the wire documents have.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import type { SilkSpan } from './silk-span.js';
import { SilkTracer } from './silk-tracer.js';

export interface Collector {
  base: string;
  bodies: unknown[];
  /** The headers of the last request. */
  headers: Record<string, string | string[] | undefined>;
  /** Answer 500 to everything while true. */
  failing: boolean;
  close(): void;
}

export async function startCollector(): Promise<Collector> {
  const c: Collector = { base: '', bodies: [], headers: {}, failing: false, close: () => server.close() };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      c.headers = req.headers;
      if (c.failing) return void res.writeHead(500).end();
      c.bodies.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  c.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return c;
}

/** A server span, its failing child (odd characters, an event, a link), an OK producer, an internal span. */
export function sampleSpans(): SilkSpan[] {
  const ended: SilkSpan[] = [];
  const tracer = new SilkTracer({ sink: { onEnd: (s) => ended.push(s) }, sampleRoot: () => true });
  const server = tracer.startSpan('GET /orders/{id}', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'url.path': '/orders/7', 'http.response.status_code': 200 },
  });
  server.end();
  const child = tracer.startSpan(
    'naïve "quoted" \\ name\n',
    {
      attributes: { list: ['a', 'b'], ok: true, ratio: 0.25, ключ: 'значение 🎉' },
      links: [
        {
          context: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            traceFlags: 1,
            isRemote: true,
          },
        },
      ],
    },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  child.addEvent('cache miss', { key: 'order:7' });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'stock "low"' });
  child.end();
  const own = tracer.startSpan('publish', {
    kind: SpanKind.PRODUCER,
    attributes: { 'service.name': 'other-service' },
  });
  own.setStatus({ code: SpanStatusCode.OK });
  own.end();
  tracer.startSpan('tx phase', { kind: SpanKind.INTERNAL }).end();
  return ended;
}

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runWithContext } from '../core/index.js';
import Fastify from 'fastify';
import { LogLevels, createLogger } from './logging.js';
import { registerLoggersEndpoint } from './loggers-endpoint.js';
import { withSpan, withTracing } from './spans.js';
import { Tracing } from './tracing.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, destination };
}

describe('JSON logs with the request MDC', () => {
  it('carries traceId, spanId and xid on lines written inside a request, nothing outside', () => {
    const { lines, destination } = capture();
    const log = createLogger({ application: 'order-service', destination });
    const tracing = new Tracing({ serviceName: 'order-service', samplingProbability: 1 });
    log.info('outside');
    let ids = { traceId: '', spanId: '' };
    runWithContext({ xid: '10.0.0.1:8091:5' }, () =>
      withTracing(tracing, () =>
        withSpan('work', {}, (span) => {
          ids = { traceId: span!.spanContext().traceId, spanId: span!.spanContext().spanId };
          log.child({ logger: 'orders' }).warn('inside');
        }),
      ),
    );
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[1]).toMatchObject({
      msg: 'inside',
      app: 'order-service',
      logger: 'orders',
      'X-TX-XID': '10.0.0.1:8091:5',
      ...ids,
    });
  });
});

describe('logging.level.* live', () => {
  it('root and named levels by longest prefix, re-applied when the properties change', () => {
    const { lines, destination } = capture();
    const levels = new LogLevels(createLogger({ application: 'a', destination }));
    const orders = levels.logger('com.acme.orders');
    const nacos = levels.logger('nacos');
    levels.apply(
      new Map([
        ['logging.level.root', 'WARN'],
        ['logging.level.com.acme', 'debug'],
      ]),
    );
    orders.debug('orders debug');
    nacos.info('nacos info');
    expect(lines.map((l) => l.msg)).toEqual(['orders debug']);
    levels.apply(
      new Map([
        ['logging.level.root', 'INFO'],
        ['logging.level.com.acme.orders', 'OFF'],
      ]),
    );
    orders.error('silenced');
    nacos.info('nacos now');
    expect(lines.map((l) => l.msg)).toEqual(['orders debug', 'nacos now']);
    expect(levels.levelOf('com.acme.orders.repo')).toBe('silent');
  });

  it('refuses a level Spring does not know and keeps the levels in force', () => {
    const { destination } = capture();
    const levels = new LogLevels(createLogger({ application: 'a', destination, level: 'warn' }));
    levels.apply(new Map([['logging.level.root', 'ERROR']]));
    expect(() => levels.apply(new Map([['logging.level.root', 'LOUD']]))).toThrow(
      expect.objectContaining({ code: 'SILK_OBSERVABILITY_CONFIG_INVALID' }),
    );
    expect(levels.levelOf('x')).toBe('error');
  });
});

describe('/actuator/loggers', () => {
  it('lists, reads and sets levels as Spring Boot does; a property change re-applies only the loggers it names', async () => {
    const { lines, destination } = capture();
    const levels = new LogLevels(createLogger({ application: 'a', destination }));
    const orders = levels.logger('com.acme.orders');
    levels.apply(new Map([['logging.level.com.acme', 'INFO']]));
    const app = Fastify();
    registerLoggersEndpoint(app, levels);
    const all = (await app.inject({ url: '/actuator/loggers' })).json<{
      levels: string[];
      loggers: Record<string, unknown>;
    }>();
    expect(all.levels).toEqual(['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']);
    expect(Object.keys(all.loggers)).toEqual(['ROOT', 'com', 'com.acme', 'com.acme.orders']);
    expect(all.loggers['com.acme.orders']).toEqual({ configuredLevel: null, effectiveLevel: 'INFO' });
    expect(all.loggers.ROOT).toEqual({ configuredLevel: 'INFO', effectiveLevel: 'INFO' });
    expect((await app.inject({ url: '/actuator/loggers/no.such' })).statusCode).toBe(404);

    const post = (name: string, payload: unknown) =>
      app.inject({ method: 'POST', url: `/actuator/loggers/${name}`, payload: payload as object });
    expect((await post('com.acme.orders', { configuredLevel: 'debug' })).statusCode).toBe(204);
    expect((await app.inject({ url: '/actuator/loggers/com.acme.orders' })).json()).toEqual({
      configuredLevel: 'DEBUG',
      effectiveLevel: 'DEBUG',
    });
    orders.debug('now visible');
    expect((await post('com.acme.orders', { configuredLevel: 'LOUD' })).statusCode).toBe(400);
    expect((await post('ROOT', { configuredLevel: 'WARN' })).statusCode).toBe(204);
    expect(levels.levelOf('other')).toBe('warn');

    // A Nacos edit naming com.acme.orders wins over the run-time level; ROOT's run-time level stays.
    levels.apply(new Map([['logging.level.com.acme.orders', 'ERROR']]));
    expect(levels.describe('com.acme.orders')).toEqual({ configuredLevel: 'ERROR', effectiveLevel: 'ERROR' });
    expect(levels.describe('ROOT')?.configuredLevel).toBe('WARN');
    expect((await post('ROOT', {})).statusCode).toBe(204);
    expect(levels.describe('ROOT')?.configuredLevel).toBe('INFO');
    expect(lines.map((l) => l.msg)).toEqual(['now visible']);
    await app.close();
  });
});

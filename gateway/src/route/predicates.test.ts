import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Exchange } from '../exchange.js';
import { compileGatewayConfig } from '../gateway-config.js';
import { parseShortcut } from './definition.js';
import { buildPredicate } from './predicates.js';

function exchange(opts: { method?: string; url?: string; headers?: Record<string, string>; ip?: string; now?: number; random?: number }): Exchange {
  const req = {
    method: opts.method ?? 'GET',
    url: opts.url ?? '/',
    headers: opts.headers ?? {},
    socket: { remoteAddress: opts.ip ?? '127.0.0.1' },
  } as unknown as IncomingMessage;
  return new Exchange(req, {} as ServerResponse, opts.now ?? Date.now(), () => opts.random ?? 0.5);
}

const ctx = { routeId: 'r', addWeight: () => undefined };
const pred = (text: string) => buildPredicate(parseShortcut(text, 'predicate'), ctx);

describe('route predicates', () => {
  it('Path puts URI variables on the exchange; matchTrailingSlash flag', () => {
    const ex = exchange({ url: '/red/blue?x=1' });
    expect(pred('Path=/red/{segment},/blue/**')(ex)).toBe(true);
    expect(ex.uriVariables).toEqual({ segment: 'blue' });
    expect(pred('Path=/red/blue,false')(exchange({ url: '/red/blue/' }))).toBe(false);
    expect(pred('Path=/red/blue')(exchange({ url: '/red/blue/' }))).toBe(true);
  });

  it('Method, Host (port included), Header, Query, Cookie with full-match regexes', () => {
    expect(pred('Method=GET,POST')(exchange({ method: 'POST' }))).toBe(true);
    expect(pred('Method=GET')(exchange({ method: 'DELETE' }))).toBe(false);
    expect(pred('Host=**.somehost.org,**.anotherhost.org')(exchange({ headers: { host: 'www.anotherhost.org' } }))).toBe(true);
    expect(pred('Host=**.somehost.org')(exchange({ headers: { host: 'www.somehost.org:8080' } }))).toBe(false);
    expect(pred('Header=X-Request-Id, \\d+')(exchange({ headers: { 'x-request-id': '123' } }))).toBe(true);
    expect(pred('Header=X-Request-Id, \\d+')(exchange({ headers: { 'x-request-id': '123a' } }))).toBe(false);
    expect(pred('Header=X-Request-Id')(exchange({ headers: {} }))).toBe(false);
    expect(pred('Query=green')(exchange({ url: '/?green=' }))).toBe(true);
    expect(pred('Query=red, gree.')(exchange({ url: '/?red=green' }))).toBe(true);
    expect(pred('Query=red, gree.')(exchange({ url: '/?red=greenish' }))).toBe(false);
    expect(pred('Cookie=chocolate, ch.p')(exchange({ headers: { cookie: 'a=b; chocolate=chip' } }))).toBe(true);
    expect(pred('Cookie=chocolate, ch.p')(exchange({ headers: { cookie: 'chocolate=chips' } }))).toBe(false);
    expect(() => pred('Cookie=chocolate')).toThrow(/'regexp' is required/);
  });

  it('RemoteAddr with CIDRs, bare addresses as /32, IPv4-mapped IPv6 clients', () => {
    expect(pred('RemoteAddr=192.168.1.1/24')(exchange({ ip: '192.168.1.77' }))).toBe(true);
    expect(pred('RemoteAddr=192.168.1.1/24')(exchange({ ip: '192.168.2.1' }))).toBe(false);
    expect(pred('RemoteAddr=10.0.0.1')(exchange({ ip: '::ffff:10.0.0.1' }))).toBe(true);
    expect(pred('RemoteAddr=::1/128')(exchange({ ip: '::1' }))).toBe(true);
    expect(() => pred('RemoteAddr=300.1.1.1')).toThrow(/not an address/);
  });

  it('After, Before, Between on ZonedDateTime text or epoch millis', () => {
    const t = Date.parse('2017-01-20T17:42:47.789-07:00');
    expect(pred('After=2017-01-20T17:42:47.789-07:00[America/Denver]')(exchange({ now: t + 1 }))).toBe(true);
    expect(pred('After=2017-01-20T17:42:47.789-07:00[America/Denver]')(exchange({ now: t }))).toBe(false);
    expect(pred(`Before=${t}`)(exchange({ now: t - 1 }))).toBe(true);
    expect(pred(`Between=${t}, ${t + 10}`)(exchange({ now: t + 5 }))).toBe(true);
    expect(pred(`Between=${t}, ${t + 10}`)(exchange({ now: t + 10 }))).toBe(false);
    expect(() => pred(`Between=${t + 10}, ${t}`)).toThrow(/before datetime2/);
    expect(() => pred('After=yesterday')).toThrow(/not a date-time/);
  });

  it('Weight splits one group by normalized weight, one draw per request', () => {
    const doc = {
      spring: {
        cloud: {
          gateway: {
            routes: [
              { id: 'high', uri: 'http://h:1', predicates: ['Weight=group1, 8'] },
              { id: 'low', uri: 'http://h:2', predicates: ['Weight=group1, 2'] },
            ],
          },
        },
      },
    };
    const table = compileGatewayConfig(doc, { keyResolvers: new Map() }).table;
    expect(table.match(exchange({ random: 0.79 }))?.id).toBe('high');
    expect(table.match(exchange({ random: 0.8 }))?.id).toBe('low');
    let high = 0;
    for (let i = 0; i < 4000; i++) if (table.match(exchange({ random: Math.random() }))?.id === 'high') high++;
    expect(high / 4000).toBeGreaterThan(0.77);
    expect(high / 4000).toBeLessThan(0.83);
  });
});

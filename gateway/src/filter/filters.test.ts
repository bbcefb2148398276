import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Exchange } from '../exchange.js';
import { parseShortcut } from '../route/definition.js';
import { buildFilter } from './filters.js';
import { javaReplacement, stripPrefix } from './path-filters.js';
import { requestSizeMessage } from './resilience-filters.js';
import { rateLimiterKeys } from './rate-limiter.js';

const services = { keyResolvers: new Map() };
const filter = (text: string) => buildFilter(parseShortcut(text, 'filter'), { routeId: 'r', services });

function exchange(url: string, headers: Record<string, string> = {}): Exchange {
  const req = { method: 'GET', url, headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  return new Exchange(req, {} as ServerResponse, 0);
}

async function run(text: string, ex: Exchange): Promise<Exchange> {
  await filter(text).run(ex, () => Promise.resolve());
  return ex;
}

describe('path filters', () => {
  it('StripPrefix drops non-empty segments and keeps a trailing slash', () => {
    expect(stripPrefix('/name/blue/red', 2)).toBe('/red');
    expect(stripPrefix('/name/blue/red/', 1)).toBe('/blue/red/');
    expect(stripPrefix('/name', 1)).toBe('/');
    expect(stripPrefix('//a//b', 1)).toBe('/b');
    // The in-place cut gives what the segment split gives.
    for (const path of ['/', '/a', '/a/', '/a/b', '/a/b/', '/a/b/c', '/a/b/c/', 'a/b', '/a//b', '/a/b//'])
      for (const parts of [0, 1, 2, 3]) {
        const segments = path.split('/').filter((x) => x !== '');
        const rest = segments.slice(parts).join('/');
        expect(stripPrefix(path, parts), `${path} ${parts}`).toBe(rest === '' ? '/' : `/${rest}${path.endsWith('/') ? '/' : ''}`);
      }
  });

  it('PrefixPath, SetPath with URI variables, RewritePath with $\\{name} groups, query kept', async () => {
    expect((await run('PrefixPath=/mypath', exchange('/hello?x=1'))).pathAndQuery).toBe('/mypath/hello?x=1');
    const ex = exchange('/red/blue');
    ex.uriVariables = { segment: 'blue' };
    expect((await run('SetPath=/{segment}', ex)).path).toBe('/blue');
    expect(javaReplacement('/$\\{segment}')).toBe('/$<segment>');
    expect((await run('RewritePath=/red/?(?<segment>.*), /$\\{segment}', exchange('/red/blue'))).path).toBe('/blue');
    expect((await run('RewritePath=/red(?<segment>/?.*), $\\{segment}', exchange('/red'))).path).toBe('');
  });
});

describe('header filters', () => {
  it('Add/Set/Remove request headers, with URI variables expanded', async () => {
    const ex = exchange('/', { 'x-a': 'one', 'x-gone': 'x' });
    ex.uriVariables = { segment: 'blue' };
    await run('AddRequestHeader=X-A, two-{segment}', ex);
    await run('SetRequestHeader=X-B, b', ex);
    await run('RemoveRequestHeader=X-Gone', ex);
    expect(ex.headers['x-a']).toEqual(['one', 'two-blue']);
    expect(ex.headers['x-b']).toBe('b');
    expect(ex.headers['x-gone']).toBeUndefined();
  });

  it('response header edits and SecureHeaders defaults, disable and overrides', async () => {
    const ex = exchange('/');
    await run('AddResponseHeader=X-R, added', ex);
    await run('SetResponseHeader=X-S, set', ex);
    await run('RemoveResponseHeader=Server', ex);
    await buildFilter({ name: 'SecureHeaders', args: { disable: 'x-frame-options', referrerPolicy: 'origin' } }, { routeId: 'r', services }).run(ex, () => Promise.resolve());
    const out: OutgoingHttpHeaders = { 'x-r': 'upstream', 'x-s': 'upstream', server: 'nginx', 'x-content-type-options': 'kept' };
    for (const e of ex.responseEdits) e(out);
    expect(out['x-r']).toEqual(['upstream', 'added']);
    expect(out['x-s']).toBe('set');
    expect(out.server).toBeUndefined();
    expect(out['x-frame-options']).toBeUndefined();
    expect(out['referrer-policy']).toBe('origin');
    expect(out['x-content-type-options']).toBe('kept');
    expect(out['strict-transport-security']).toBe('max-age=631138519');
    expect(out['x-xss-protection']).toBe('1 ; mode=block');
  });
});

describe('resilience filters', () => {
  it('RequestSize refuses by Content-Length with Java\'s message, and arms the streaming limit', async () => {
    const f = filter('RequestSize=1KB');
    await expect(f.run(exchange('/', { 'content-length': '2000' }), () => Promise.resolve())).rejects.toMatchObject({
      code: 'SILK_GATEWAY_BODY_TOO_LARGE',
      statusCode: 413,
    });
    const ex = exchange('/');
    await f.run(ex, () => Promise.resolve());
    expect(ex.maxBodySize).toBe(1024);
    expect(requestSizeMessage(6_000_000, 5_000_000)).toBe(
      'Request size is larger than permissible limit. Request size is 6.0 MB where permissible limit is 5.0 MB',
    );
  });

  it('Retry takes Java\'s defaults and names', async () => {
    const ex = await run('Retry=2, BAD_GATEWAY, GET', exchange('/'));
    expect(ex.retry?.retries).toBe(2);
    expect([...ex.retry!.statuses]).toEqual([502]);
    expect([...ex.retry!.series]).toEqual([5]);
    expect(() => filter('Retry=0')).toThrow(/greater than 0/);
  });

  it('RequestRateLimiter needs its limiter and validates the bucket as Java does', () => {
    expect(() => buildFilter({ name: 'RequestRateLimiter', args: {} }, { routeId: 'r', services })).toThrow(/no Redis rate limiter/);
    const limiter = { isAllowed: () => Promise.reject(new Error('unused')) };
    const s = { keyResolvers: new Map([['ipKeyResolver', () => 'x']]), rateLimiter: limiter };
    const args = (o: Record<string, unknown>) => ({ name: 'RequestRateLimiter', args: { 'key-resolver': '#{@ipKeyResolver}', ...o } });
    expect(() => buildFilter(args({ 'redis-rate-limiter': { replenishRate: 10, burstCapacity: 5 } }), { routeId: 'r', services: s })).toThrow(/burstCapacity \(5\) must be >= replenishRate/);
    expect(() => buildFilter(args({ 'redis-rate-limiter': { replenishRate: 10 }, 'key-resolver': '#{@nope}' }), { routeId: 'r', services: s })).toThrow(/unknown key-resolver/);
    expect(buildFilter(args({ 'redis-rate-limiter': { replenishRate: 10 } }), { routeId: 'r', services: s }).name).toBe('RequestRateLimiter');
  });

  it('uses the Redis keys Spring Cloud Gateway uses', () => {
    expect(rateLimiterKeys('route1', '10.0.0.1')).toEqual([
      'request_rate_limiter.{route1.10.0.0.1}.tokens',
      'request_rate_limiter.{route1.10.0.0.1}.timestamp',
    ]);
  });

  it('rejects unknown filters with the known ones listed', () => {
    expect(() => filter('Nope=1')).toThrow(/unknown filter 'Nope' \(known: StripPrefix/);
  });
});

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Args } from './args.js';
import { parseShortcut, readGatewayDefinitions } from './definition.js';
import { compileGatewayConfig } from '../gateway-config.js';
import { RoutesInvalidError } from '../errors.js';

const services = { keyResolvers: new Map() };

const YAML = `
spring:
  cloud:
    gateway:
      default-filters:
        - AddResponseHeader=X-Gateway, silk
      routes:
        - id: shortcut
          uri: lb://order-service
          order: 2
          predicates:
            - Path=/a/**,/b/{seg}
            - Method=GET,POST
          filters:
            - StripPrefix=1
          metadata:
            response-timeout: 200
            connect-timeout: 100
        - id: expanded
          uri: http://127.0.0.1:8080
          order: 1
          predicates:
            - name: Path
              args:
                patterns: [/c/**]
                matchTrailingSlash: false
            - name: Header
              args:
                header: X-Id
                regexp: '\\d+'
          filters:
            - name: RewritePath
              args:
                regexp: /c/(?<segment>.*)
                replacement: /$\\{segment}
`;

describe('route definitions in Spring Cloud Gateway shape', () => {
  it('parses shortcut text as PredicateDefinition(String): split on commas, trimmed, _genkey_ keys', () => {
    expect(parseShortcut('Path=/a/**, /b/** ,', 'predicate')).toEqual({
      name: 'Path',
      args: { _genkey_0: '/a/**', _genkey_1: '/b/**' },
    });
    expect(parseShortcut('SecureHeaders', 'filter')).toEqual({ name: 'SecureHeaders', args: {} });
    expect(() => parseShortcut('Path', 'predicate')).toThrow(/name=value/);
    expect(() => parseShortcut('=x', 'filter')).toThrow(/name=value/);
  });

  it('reads both forms, keeps order and metadata, and sorts routes by order', () => {
    const defs = readGatewayDefinitions(parse(YAML) as unknown);
    expect(defs.routes.map((r) => r.id)).toEqual(['shortcut', 'expanded']);
    expect(defs.defaultFilters[0]).toEqual({ name: 'AddResponseHeader', args: { _genkey_0: 'X-Gateway', _genkey_1: 'silk' } });
    const state = compileGatewayConfig(parse(YAML), services);
    expect(state.table.routes.map((r) => r.id)).toEqual(['expanded', 'shortcut']);
    const shortcut = state.table.routes[1]!;
    expect(shortcut.target).toEqual({ kind: 'lb', service: 'order-service', protocol: 'http:', origin: '' });
    expect(shortcut.responseTimeoutMs).toBe(200);
    expect(shortcut.connectTimeoutMs).toBe(100);
    expect(shortcut.filters.map((f) => f.name)).toEqual(['AddResponseHeader', 'StripPrefix']);
  });

  it('also reads the 4.3+ prefix spring.cloud.gateway.server.webflux.routes', () => {
    const defs = readGatewayDefinitions({
      spring: { cloud: { gateway: { server: { webflux: { routes: [{ id: 'x', uri: 'http://h:1', predicates: ['Path=/x'] }] } } } } },
    });
    expect(defs.routes[0]!.id).toBe('x');
  });

  it('refuses a whole set naming every broken route and why', () => {
    const bad = parse(`
spring.cloud.gateway.routes:
  - id: ok
    uri: http://127.0.0.1:1
    predicates: [Path=/ok]
  - id: unknown-predicate
    uri: http://127.0.0.1:1
    predicates: [Paht=/x]
  - id: bad-uri
    uri: ftp://x
  - id: bad-rate
    uri: http://127.0.0.1:1
    filters: [StripPrefix=two]
`) as Record<string, unknown>;
    // Spring's flat keys, as ConfigStore unflattens them.
    const doc = { spring: { cloud: { gateway: { routes: bad['spring.cloud.gateway.routes'] } } } };
    let err: unknown;
    try {
      compileGatewayConfig(doc, services);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RoutesInvalidError);
    const reasons = (err as RoutesInvalidError).details.reasons as string[];
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/unknown-predicate.*unknown predicate 'Paht'/);
    expect(reasons[1]).toMatch(/bad-uri.*ftp/);
    expect(reasons[2]).toMatch(/bad-rate.*'parts' must be an integer/);
  });

  it('rejects duplicate ids and routes without uri', () => {
    const route = (id: string) => ({ id, uri: 'http://h:1' });
    expect(() => readGatewayDefinitions({ spring: { cloud: { gateway: { routes: [route('a'), route('a')] } } } })).toThrow(/used twice/);
    expect(() => readGatewayDefinitions({ spring: { cloud: { gateway: { routes: [{ id: 'a' }] } } } })).toThrow(/uri is required/);
  });

  it('binds args as ShortcutConfigurable: DEFAULT, GATHER_LIST, GATHER_LIST_TAIL_FLAG, relaxed names', () => {
    const def = parseShortcut('Path=/a,/b,false', 'predicate');
    const tail = new Args('Path', def, { fieldOrder: ['patterns', 'matchTrailingSlash'], type: 'GATHER_LIST_TAIL_FLAG' });
    expect(tail.list('patterns')).toEqual(['/a', '/b']);
    expect(tail.bool('matchTrailingSlash', true)).toBe(false);
    const gather = new Args('Method', parseShortcut('Method=GET,POST', 'predicate'), { fieldOrder: ['methods'], type: 'GATHER_LIST' });
    expect(gather.list('methods')).toEqual(['GET', 'POST']);
    const expanded = new Args('RequestRateLimiter', { name: 'RequestRateLimiter', args: { 'redis-rate-limiter': { replenishRate: 10, 'burst-capacity': 20 } } }, { fieldOrder: [] });
    expect(expanded.int('redis-rate-limiter.replenishRate', 0)).toBe(10);
    expect(expanded.int('redisRateLimiter.burstCapacity', 0)).toBe(20);
    expect(() => new Args('Header', parseShortcut('Header=a,b,c', 'predicate'), { fieldOrder: ['header', 'regexp'] })).toThrow(/at most 2/);
  });
});

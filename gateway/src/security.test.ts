import { SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type GatewayUnderTest, type Upstream } from './test-support.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
let up: Upstream;
let gw: GatewayUnderTest;

const yaml = () => `
spring:
  cloud:
    gateway:
      globalcors:
        cors-configurations:
          '[/**]':
            allowedOrigins: https://app.example.org
            allowedMethods: [GET, POST]
            allowedHeaders: [authorization, content-type]
            exposedHeaders: X-Upstream
            allowCredentials: true
            maxAge: 600
      routes:
        - id: open
          uri: ${up.origin}
          predicates: [Path=/public/**]
        - id: guarded
          uri: ${up.origin}
          predicates: [Path=/api/**]
silk:
  gateway:
    jwt:
      secret: ${SECRET}
      issuer: silk-tests
      exclude-paths: [/public/**]
`;

const token = (claims: { sub?: string; exp?: number; iss?: string } = {}) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? 'alice')
    .setIssuer(claims.iss ?? 'silk-tests')
    .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 60)
    .sign(new TextEncoder().encode(SECRET));

beforeAll(async () => {
  up = await startUpstream('up');
  gw = await startGateway({}, yaml());
});

afterAll(async () => {
  await gw.close();
  await up.close();
});

async function call(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${gw.url}${path}`, { headers });
  const text = await res.body.text();
  const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text };
  return { status: res.statusCode, headers: res.headers, body };
}

describe('JWT authentication', () => {
  it('admits a valid bearer token and lets excluded paths through without one', async () => {
    expect((await call('/api/echo', { authorization: `Bearer ${await token()}` })).status).toBe(200);
    expect((await call('/public/echo')).status).toBe(200);
  });

  it('answers 401 with the reason for missing, malformed, forged, expired and wrong-issuer tokens', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /no Authorization header/],
      [{ authorization: 'Basic abc' }, /not "Bearer <token>"/],
      [{ authorization: 'Bearer not.a.jwt' }, /malformed token/],
      [{ authorization: `Bearer ${(await token()).slice(0, -3)}abc` }, /signature does not verify/],
      [{ authorization: `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 120 })}` }, /token expired/],
      [{ authorization: `Bearer ${await token({ iss: 'someone-else' })}` }, /claim 'iss' invalid/],
    ];
    for (const [headers, reason] of cases) {
      const r = await call('/api/echo', headers);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('SILK_GATEWAY_UNAUTHORIZED');
      expect(r.body.message).toMatch(reason);
    }
    expect(up.hits.get('/api/echo')).toBe(1);
    // Nothing else disturbed: the next good request still passes.
    expect((await call('/api/echo', { authorization: `Bearer ${await token()}` })).status).toBe(200);
  });

  it('refuses a config whose JWT keys are unusable, keeping the current one', () => {
    expect(() => gw.gateway.load(yaml().replace(`secret: ${SECRET}`, 'secret: short'), 'test')).toThrow(/at least 32 characters/);
    expect(() => gw.gateway.load(yaml().replace(`secret: ${SECRET}`, "jwks: '{not json'"), 'test')).toThrow(/not a JWK set/);
    expect(gw.gateway.state.jwt).toBeDefined();
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin, and refuses other origins with 403', async () => {
    const pre = await request(`${gw.url}/public/echo`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type' },
    });
    expect(pre.statusCode).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    expect(pre.headers['access-control-max-age']).toBe('600');
    await pre.body.dump();
    const bad = await call('/public/echo', { origin: 'https://evil.example.com' });
    expect(bad.status).toBe(403);
    expect(bad.body.text).toBe('Invalid CORS request');
    const actual = await call('/public/echo', { origin: 'https://app.example.org' });
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(actual.headers['access-control-expose-headers']).toBe('X-Upstream');
  });
});

describe('Sentinel gateway flow rules', () => {
  it('limits a route by QPS with GatewayFlowRule JSON and answers Java\'s 429 body', async () => {
    const load = gw.gateway.flow.loadRules(JSON.stringify([{ resource: 'open', count: 2, intervalSec: 1 }]));
    expect(load.rejected).toEqual([]);
    const statuses: number[] = [];
    let blocked: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) {
      const r = await call('/public/echo');
      statuses.push(r.status);
      if (r.status === 429) blocked = r.body;
    }
    expect(statuses.filter((s) => s === 200).length).toBe(2);
    expect(blocked).toEqual({ code: 429, message: 'Blocked by Sentinel: ParamFlowException' });
    gw.gateway.flow.loadRules('[]');
  });

  it('limits per header value and per API group, rejecting a bad rule alone', async () => {
    const load = gw.gateway.flow.loadRules([
      { resource: 'guarded', count: 1, paramItem: { parseStrategy: 2, fieldName: 'X-Tenant', pattern: 'acme', matchStrategy: 0 } },
      { resource: 'public-api', resourceMode: 1, count: 1 },
      { resource: 'bad', count: 1, paramItem: { parseStrategy: 2 } },
    ]);
    expect(load.rules).toHaveLength(2);
    expect(load.rejected[0]).toMatchObject({ index: 2, reason: expect.stringMatching(/fieldName is required/) as unknown });
    gw.gateway.flow.loadApiDefinitions([{ apiName: 'public-api', predicateItems: [{ pattern: '/public/**', matchStrategy: 1 }] }]);
    const auth = { authorization: `Bearer ${await token()}` };
    const acme = [await call('/api/echo', { ...auth, 'x-tenant': 'acme' }), await call('/api/echo', { ...auth, 'x-tenant': 'acme' })];
    expect(acme.map((r) => r.status)).toEqual([200, 429]);
    // Values that do not match the item's pattern are not limited ($NM passes).
    const other = [await call('/api/echo', { ...auth, 'x-tenant': 'other' }), await call('/api/echo', { ...auth, 'x-tenant': 'other' })];
    expect(other.map((r) => r.status)).toEqual([200, 200]);
    const api = [await call('/public/a'), await call('/public/b')];
    expect(api.map((r) => r.status)).toEqual([200, 429]);
    gw.gateway.flow.loadRules('[]');
    gw.gateway.flow.loadApiDefinitions('[]');
  });

  it('keeps the rules in force when a document is unreadable', () => {
    gw.gateway.flow.loadRules([{ resource: 'open', count: 5 }]);
    const r = gw.gateway.flow.loadRules('{not json');
    expect(r.applied).toBe(false);
    expect(gw.gateway.flow.rules).toHaveLength(1);
    gw.gateway.flow.loadRules('[]');
  });
});

/**
 * CORS as Spring's DefaultCorsProcessor applies `spring.cloud.gateway.globalcors
 * .cors-configurations` (path pattern -> CorsConfiguration): a preflight is answered by the
 * gateway itself, an actual cross-origin request gets the Allow-Origin/Credentials/Expose
 * headers on its response, and a request from an origin or with a method not allowed is
 * refused with 403 "Invalid CORS request", as Spring does.
 */
import { text } from './route/args.js';
import type { Exchange } from './exchange.js';
import { compilePathPattern, type CompiledPattern } from './route/path-pattern.js';

export interface CorsConfiguration {
  readonly allowedOrigins: readonly string[];
  readonly allowedOriginPatterns: readonly RegExp[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number | undefined;
}

type Raw = Record<string, unknown>;
const list = (v: unknown): string[] =>
  v === undefined || v === null
    ? []
    : (Array.isArray(v) ? v.map(String) : text(v).split(',')).map((s) => s.trim()).filter(Boolean);

function originPattern(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

export function parseCorsConfiguration(raw: Raw, where: string): CorsConfiguration {
  const pick = (k: string): unknown => raw[k] ?? raw[k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)];
  const allowCredentials = text(pick('allowCredentials') ?? 'false') === 'true';
  const allowedOrigins = list(pick('allowedOrigins'));
  if (allowCredentials && allowedOrigins.includes('*'))
    throw new Error(`${where}: allowedOrigins '*' cannot be combined with allowCredentials true; use allowedOriginPatterns`);
  const maxAge = pick('maxAge');
  return {
    allowedOrigins,
    allowedOriginPatterns: list(pick('allowedOriginPatterns')).map(originPattern),
    // Spring's defaults when methods are not given: GET, HEAD.
    allowedMethods: list(pick('allowedMethods') ?? 'GET,HEAD').map((m) => m.toUpperCase()),
    allowedHeaders: list(pick('allowedHeaders')).map((h) => h.toLowerCase()),
    exposedHeaders: list(pick('exposedHeaders')),
    allowCredentials,
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
  };
}

export class CorsPolicy {
  constructor(private readonly configs: readonly (readonly [CompiledPattern, CorsConfiguration])[]) {}

  static parse(raw: unknown): CorsPolicy | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const entries = Object.entries(raw as Raw).map(([pattern, cfg]) => {
      const p = pattern.replace(/^\[(.*)\]$/, '$1');
      return [compilePathPattern(p), parseCorsConfiguration(cfg as Raw, `globalcors '${p}'`)] as const;
    });
    return entries.length === 0 ? undefined : new CorsPolicy(entries);
  }

  #allowedOrigin(c: CorsConfiguration, origin: string): string | undefined {
    if (c.allowedOrigins.includes('*')) return '*';
    if (c.allowedOrigins.includes(origin) || c.allowedOriginPatterns.some((p) => p.test(origin))) return origin;
    return undefined;
  }

  /**
   * Applies CORS to the exchange: 'answered' when it wrote the response itself (preflight or
   * refusal), 'continue' otherwise (with response headers queued for a cross-origin request).
   */
  apply(ex: Exchange): 'answered' | 'continue' {
    const origin = ex.header('origin');
    if (origin === undefined) return 'continue';
    const config = this.configs.find(([p]) => p.match(ex.path) !== undefined)?.[1];
    if (config === undefined) return 'continue';
    const preflight = ex.method === 'OPTIONS' && ex.header('access-control-request-method') !== undefined;
    const allowOrigin = this.#allowedOrigin(config, origin);
    const method = preflight ? ex.header('access-control-request-method')!.toUpperCase() : ex.method;
    const methodOk = config.allowedMethods.includes('*') || config.allowedMethods.includes(method);
    if (allowOrigin === undefined || (preflight && !methodOk)) {
      ex.res.writeHead(403, { 'content-type': 'text/plain', vary: 'Origin' }).end('Invalid CORS request');
      return 'answered';
    }
    const headers: Record<string, string> = { 'access-control-allow-origin': allowOrigin, vary: 'Origin' };
    if (config.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    if (preflight) {
      const requested = list(ex.header('access-control-request-headers')).map((h) => h.toLowerCase());
      const all = config.allowedHeaders.includes('*');
      if (!all && requested.some((h) => !config.allowedHeaders.includes(h))) {
        ex.res.writeHead(403, { 'content-type': 'text/plain', vary: 'Origin' }).end('Invalid CORS request');
        return 'answered';
      }
      headers['access-control-allow-methods'] = config.allowedMethods.includes('*') ? method : config.allowedMethods.join(',');
      if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
      if (config.maxAge !== undefined) headers['access-control-max-age'] = String(config.maxAge);
      ex.res.writeHead(200, headers).end();
      return 'answered';
    }
    if (config.exposedHeaders.length > 0) headers['access-control-expose-headers'] = config.exposedHeaders.join(', ');
    ex.responseEdits.push((h) => Object.assign(h, headers));
    return 'continue';
  }
}

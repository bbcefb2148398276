/**
 * Gateway filters as Spring Cloud Gateway composes them: each gets the exchange and the rest
 * of the chain, may change the request before calling `next()`, the response headers through
 * `ex.responseEdits`, or answer itself by throwing a coded error instead of calling `next()`.
 * `next()` resolves once the upstream exchange has finished (the response streamed out).
 */
import type { Sentinel } from '@silk/platform-sdk/sentinel';
import type { Exchange } from '../exchange.js';
import type { Args, ShortcutSpec } from '../route/args.js';
import type { RateLimiter } from './rate-limiter.js';

export type Next = () => Promise<void>;

export interface GatewayFilter {
  readonly name: string;
  run(ex: Exchange, next: Next): Promise<void>;
}

/** Resolves the rate-limit key of a request (Java's KeyResolver); undefined = no key. */
export type KeyResolver = (ex: Exchange) => string | undefined | Promise<string | undefined>;

/** What filters may use beyond their args: shared engines, given once to the gateway. */
export interface FilterServices {
  readonly sentinel?: Sentinel;
  readonly rateLimiter?: RateLimiter;
  /** By bean name, as `key-resolver: "#{@ipKeyResolver}"` names them. */
  readonly keyResolvers: ReadonlyMap<string, KeyResolver>;
  /** Re-dispatches the exchange to the route matching `path` (`fallbackUri: forward:/path`). */
  readonly forward?: (ex: Exchange, path: string) => Promise<void>;
}

export interface FilterContext {
  readonly routeId: string;
  readonly services: FilterServices;
}

export interface FilterFactory extends ShortcutSpec {
  build(args: Args, ctx: FilterContext): GatewayFilter;
}

/** `{name}` URI variables (from Path/Host) in a filter's value, as ServerWebExchangeUtils.expand. */
export function expand(template: string, vars: Readonly<Record<string, string>>, encode = false): string {
  if (!template.includes('{')) return template;
  return template.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return encode ? encodeURI(v) : v;
  });
}

/**
 * Filters that protect the upstream or the gateway: Retry (Spring's RetryConfig defaults:
 * 3 retries, SERVER_ERROR series, GET only, on IOException/TimeoutException), RequestSize
 * (413 above `maxSize`, default 5000000 bytes), CircuitBreaker (backed by Sentinel degrade
 * rules on the breaker's name, with `fallbackUri: forward:/path` and `statusCodes`), and
 * RequestRateLimiter (Redis token bucket, key by resolver bean, 429 with X-RateLimit-*).
 */
import { BodyTooLargeError, CircuitOpenError, RateLimitedError, UpstreamFailedError } from '../errors.js';
import type { Exchange } from '../exchange.js';
import { parseDataSize, parseDuration } from '../route/args.js';
import type { FilterFactory } from './filter.js';
import { validateRateLimiterConfig } from './rate-limiter.js';

/** HttpStatus names Java configs use for statuses (numbers work too). */
const HTTP_STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408, CONFLICT: 409, GONE: 410, CONTENT_TOO_LARGE: 413, PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429, INTERNAL_SERVER_ERROR: 500, NOT_IMPLEMENTED: 501, BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503, GATEWAY_TIMEOUT: 504,
};
const SERIES: Readonly<Record<string, number>> = { INFORMATIONAL: 1, SUCCESSFUL: 2, REDIRECTION: 3, CLIENT_ERROR: 4, SERVER_ERROR: 5 };

export function httpStatus(text: string, owner: string): number {
  const n = /^\d{3}$/.test(text) ? Number(text) : HTTP_STATUS[text.toUpperCase()];
  if (n === undefined) throw new Error(`${owner}: '${text}' is not an HTTP status (a code like 502 or a name like BAD_GATEWAY)`);
  return n;
}

/** Thrown by the proxy when the upstream answers one of `ex.failStatuses` (the body is discarded). */
export class StatusFailure extends Error {
  constructor(readonly status: number) {
    super(`upstream answered ${status}`);
  }
}

/** RequestSizeGatewayFilterFactory's error text (the `errorMessage` header), with its 1000-based units. */
export function requestSizeMessage(size: number, max: number): string {
  const readable = (b: number): string => {
    if (b < 1000) return `${b} B`;
    const exp = Math.floor(Math.log(b) / Math.log(1000));
    return `${(b / 1000 ** exp).toFixed(1)} ${'kMGTPE'[exp - 1]}B`;
  };
  return `Request size is larger than permissible limit. Request size is ${readable(size)} where permissible limit is ${readable(max)}`;
}

export const RESILIENCE_FILTERS: Readonly<Record<string, FilterFactory>> = {
  Retry: {
    fieldOrder: ['retries', 'statuses', 'methods', 'backoff.firstBackoff', 'backoff.maxBackoff', 'backoff.factor', 'backoff.basedOnPreviousValue'],
    build(args) {
      const retries = args.int('retries', 3);
      if (retries < 1) throw new Error('Retry: retries must be greater than 0');
      const statuses = new Set(args.list('statuses').map((s) => httpStatus(s, 'Retry')));
      const seriesList = args.has('series') ? args.list('series') : ['SERVER_ERROR'];
      const series = new Set(seriesList.map((s) => {
        const n = SERIES[s.toUpperCase()];
        if (n === undefined) throw new Error(`Retry: unknown series '${s}'`);
        return n;
      }));
      const methods = new Set((args.has('methods') ? args.list('methods') : ['GET']).map((m) => m.toUpperCase()));
      const exceptions = args.has('exceptions') ? args.list('exceptions') : ['java.io.IOException', 'java.util.concurrent.TimeoutException'];
      const backoff = args.has('backoff.firstBackoff') ? {
        firstMs: parseDuration(args.required('backoff.firstBackoff'), 'Retry backoff.firstBackoff'),
        maxMs: args.durationMs('backoff.maxBackoff', Number.MAX_SAFE_INTEGER),
        factor: args.int('backoff.factor', 2),
        basedOnPreviousValue: args.bool('backoff.basedOnPreviousValue', true),
      } : undefined;
      const policy = { retries, statuses, series, methods, onErrors: exceptions.length > 0, ...(backoff ? { backoff } : {}) };
      return {
        name: 'Retry',
        run(ex, next) {
          ex.retry = policy;
          return next();
        },
      };
    },
  },
  RequestSize: {
    fieldOrder: ['maxSize'],
    build(args) {
      const max = args.has('maxSize') ? parseDataSize(args.required('maxSize'), 'RequestSize maxSize') : 5_000_000;
      return {
        name: 'RequestSize',
        async run(ex, next) {
          const length = ex.header('content-length');
          if (length !== undefined && Number(length) > max) throw new BodyTooLargeError(ex.routeId, Number(length), max);
          // Chunked bodies have no length up front; the proxy counts them as they stream.
          ex.maxBodySize = max;
          return next();
        },
      };
    },
  },
  CircuitBreaker: {
    fieldOrder: ['name', 'fallbackUri'],
    build(args, ctx) {
      const sentinel = ctx.services.sentinel;
      if (sentinel === undefined) throw new Error('CircuitBreaker: the gateway has no Sentinel engine');
      const name = args.str('name') ?? ctx.routeId;
      const fallback = args.str('fallbackUri');
      if (fallback !== undefined && !fallback.startsWith('forward:'))
        throw new Error(`CircuitBreaker: fallbackUri must be forward:/path, got '${fallback}'`);
      const failStatuses = new Set(args.list('statusCodes').map((s) => httpStatus(s, 'CircuitBreaker')));
      const fallbackPath = fallback?.slice('forward:'.length);
      const forward = ctx.services.forward;
      const recover = async (ex: Exchange, cause: unknown): Promise<void> => {
        if (fallbackPath === undefined || forward === undefined) throw cause;
        await forward(ex, fallbackPath);
      };
      return {
        name: 'CircuitBreaker',
        async run(ex, next) {
          const entry = sentinel.entry(name, { entryType: 'OUT' });
          if (entry.blocked) return recover(ex, new CircuitOpenError(ex.routeId, name));
          if (failStatuses.size > 0) ex.failStatuses = failStatuses;
          try {
            await next();
          } catch (err) {
            entry.setError(err);
            const shown = err instanceof StatusFailure ? new UpstreamFailedError(ex.routeId, `status ${err.status}`, err) : err;
            return recover(ex, shown);
          } finally {
            entry.exit();
          }
        },
      };
    },
  },
  RequestRateLimiter: {
    fieldOrder: [],
    build(args, ctx) {
      const limiter = ctx.services.rateLimiter;
      if (limiter === undefined) throw new Error('RequestRateLimiter: the gateway has no Redis rate limiter');
      const replenishRate = args.int('redis-rate-limiter.replenishRate', 0);
      const config = validateRateLimiterConfig({
        replenishRate,
        burstCapacity: args.int('redis-rate-limiter.burstCapacity', Math.max(1, replenishRate)),
        requestedTokens: args.int('redis-rate-limiter.requestedTokens', 1),
      }, 'RequestRateLimiter');
      const resolverName = /^#\{@(.+)\}$/.exec(args.str('key-resolver') ?? '#{@principalNameKeyResolver}')?.[1];
      const resolver = resolverName === undefined ? undefined : ctx.services.keyResolvers.get(resolverName);
      if (resolver === undefined)
        throw new Error(`RequestRateLimiter: unknown key-resolver '${args.str('key-resolver')}' (known: ${[...ctx.services.keyResolvers.keys()].map((k) => `#{@${k}}`).join(', ')})`);
      const denyEmpty = args.bool('deny-empty-key', true);
      const emptyStatus = args.has('empty-key-status-code') ? httpStatus(args.required('empty-key-status-code'), 'RequestRateLimiter') : 403;
      const status = args.has('status-code') ? httpStatus(args.required('status-code'), 'RequestRateLimiter') : 429;
      return {
        name: 'RequestRateLimiter',
        async run(ex, next) {
          const key = await resolver(ex);
          if (key === undefined || key === '') {
            if (!denyEmpty) return next();
            throw new RateLimitedError(ex.routeId, 'RequestRateLimiter', 'no rate-limit key for this request', emptyStatus);
          }
          const r = await limiter.isAllowed(ex.routeId, key, config);
          ex.responseEdits.push((h) => Object.assign(h, r.headers));
          ex.errorHeaders = r.headers;
          if (!r.allowed) {
            throw new RateLimitedError(ex.routeId, 'RequestRateLimiter', `replenishRate ${config.replenishRate}/s, burstCapacity ${config.burstCapacity}`, status);
          }
          return next();
        },
      };
    },
  },
};

import { isSilkError } from '@silk/platform-sdk/core';
import { describe, expect, it } from 'vitest';
import type {
  GatewayError} from './errors.js';
import {
  BodyTooLargeError,
  CircuitOpenError,
  GATEWAY_ERROR_CODES,
  NoInstanceError,
  NoRouteError,
  RateLimitedError,
  RoutesInvalidError,
  UnauthorizedError,
  UpstreamConnectError,
  UpstreamFailedError,
  UpstreamTimeoutError,
} from './errors.js';

describe('gateway error catalogue', () => {
  const cause = new Error('ECONNREFUSED');
  const samples: [GatewayError, number][] = [
    [new RoutesInvalidError('Nacos', ["route 'a': uri is required"]), 500],
    [new NoRouteError('GET', '/x'), 404],
    [new NoInstanceError('r', 'order-service'), 503],
    [new UpstreamConnectError('r', 'http://10.0.0.1:8080', cause), 502],
    [new UpstreamTimeoutError('r', 'http://10.0.0.1:8080', 'response', 1000), 504],
    [new UpstreamFailedError('r', 'http://10.0.0.1:8080', cause), 502],
    [new BodyTooLargeError('r', 2000, 1000), 413],
    [new RateLimitedError('r', 'RequestRateLimiter', 'replenishRate 1/s'), 429],
    [new UnauthorizedError('token expired'), 401],
    [new CircuitOpenError('r', 'cb'), 503],
  ];

  it('has one class per code, every code SILK_GATEWAY_*', () => {
    expect(samples.map(([e]) => e.code).sort()).toEqual(Object.keys(GATEWAY_ERROR_CODES).sort());
    for (const [k, v] of Object.entries(GATEWAY_ERROR_CODES)) {
      expect(k).toBe(v);
      expect(v).toMatch(/^SILK_GATEWAY_[A-Z_]+$/);
    }
  });

  it('are SilkErrors with the HTTP status the client sees, details and a message naming the input', () => {
    for (const [err, status] of samples) {
      expect(isSilkError(err)).toBe(true);
      expect(err.statusCode).toBe(status);
      expect(err.name).toBe(err.constructor.name);
      expect(Object.keys(err.details).length).toBeGreaterThan(0);
      expect(err.message.length).toBeGreaterThan(20);
    }
  });

  it('marks what retrying can fix', () => {
    expect(new UpstreamConnectError('r', 'o', cause).retryable).toBe(true);
    expect(new NoInstanceError('r', 's').retryable).toBe(true);
    expect(new UnauthorizedError('x').retryable).toBe(false);
    expect(new BodyTooLargeError('r', 1, 0).retryable).toBe(false);
  });
});

/**
 * The gateway's error catalogue. Each error is what a client or an operator sees: the route,
 * the input that failed and what to do. `statusCode` is the HTTP answer the gateway gives.
 */
import { SilkError } from '@silk/platform-sdk/core';

export const GATEWAY_ERROR_CODES = {
  SILK_GATEWAY_ROUTES_INVALID: 'SILK_GATEWAY_ROUTES_INVALID',
  SILK_GATEWAY_NO_ROUTE: 'SILK_GATEWAY_NO_ROUTE',
  SILK_GATEWAY_NO_INSTANCE: 'SILK_GATEWAY_NO_INSTANCE',
  SILK_GATEWAY_UPSTREAM_CONNECT: 'SILK_GATEWAY_UPSTREAM_CONNECT',
  SILK_GATEWAY_UPSTREAM_TIMEOUT: 'SILK_GATEWAY_UPSTREAM_TIMEOUT',
  SILK_GATEWAY_UPSTREAM_FAILED: 'SILK_GATEWAY_UPSTREAM_FAILED',
  SILK_GATEWAY_BODY_TOO_LARGE: 'SILK_GATEWAY_BODY_TOO_LARGE',
  SILK_GATEWAY_RATE_LIMITED: 'SILK_GATEWAY_RATE_LIMITED',
  SILK_GATEWAY_UNAUTHORIZED: 'SILK_GATEWAY_UNAUTHORIZED',
  SILK_GATEWAY_CIRCUIT_OPEN: 'SILK_GATEWAY_CIRCUIT_OPEN',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

export class GatewayError extends SilkError {
  constructor(
    code: GatewayErrorCode,
    message: string,
    opts: { statusCode: number; retryable?: boolean; cause?: unknown; details: Record<string, unknown> },
  ) {
    super(code, message, opts);
  }
}

/** A route set that cannot be used; the whole set is refused and the previous one stays. */
export class RoutesInvalidError extends GatewayError {
  constructor(where: string, reasons: readonly string[]) {
    super(
      'SILK_GATEWAY_ROUTES_INVALID',
      `route set from ${where} rejected, the previous routes stay in force: ${reasons.join('; ')}`,
      { statusCode: 500, details: { where, reasons } },
    );
  }
}

export class NoRouteError extends GatewayError {
  constructor(method: string, path: string) {
    super('SILK_GATEWAY_NO_ROUTE', `no route matches ${method} ${path}; check the route predicates`, {
      statusCode: 404,
      details: { method, path },
    });
  }
}

export class NoInstanceError extends GatewayError {
  constructor(routeId: string, service: string) {
    super(
      'SILK_GATEWAY_NO_INSTANCE',
      `route '${routeId}': no healthy instance of '${service}' in Nacos; is it running and registered in the gateway's namespace and group?`,
      { statusCode: 503, retryable: true, details: { routeId, service } },
    );
  }
}

export class UpstreamConnectError extends GatewayError {
  constructor(routeId: string, origin: string, cause: unknown) {
    super('SILK_GATEWAY_UPSTREAM_CONNECT', `route '${routeId}': could not connect to ${origin}`, {
      statusCode: 502,
      retryable: true,
      cause,
      details: { routeId, origin },
    });
  }
}

export class UpstreamTimeoutError extends GatewayError {
  constructor(routeId: string, origin: string, phase: 'connect' | 'response', timeoutMs: number, cause?: unknown) {
    super(
      'SILK_GATEWAY_UPSTREAM_TIMEOUT',
      `route '${routeId}': ${origin} did not ${phase === 'connect' ? 'accept a connection' : 'answer'} within ${timeoutMs} ms; raise the route's ${phase}-timeout metadata if that is expected`,
      { statusCode: 504, retryable: true, cause, details: { routeId, origin, phase, timeoutMs } },
    );
  }
}

export class UpstreamFailedError extends GatewayError {
  constructor(routeId: string, origin: string, cause: unknown) {
    super('SILK_GATEWAY_UPSTREAM_FAILED', `route '${routeId}': the exchange with ${origin} failed midway`, {
      statusCode: 502,
      retryable: true,
      cause,
      details: { routeId, origin },
    });
  }
}

export class BodyTooLargeError extends GatewayError {
  constructor(routeId: string, size: number | undefined, maxSize: number) {
    super(
      'SILK_GATEWAY_BODY_TOO_LARGE',
      `route '${routeId}': request body ${size === undefined ? 'exceeds' : `of ${size} bytes exceeds`} the permissible ${maxSize} bytes (RequestSize filter)`,
      { statusCode: 413, details: { routeId, size, maxSize } },
    );
  }
}

export class RateLimitedError extends GatewayError {
  constructor(routeId: string, by: string, rule: string, statusCode = 429) {
    super('SILK_GATEWAY_RATE_LIMITED', `route '${routeId}': blocked by ${by} (${rule}); slow down and retry`, {
      statusCode,
      retryable: true,
      details: { routeId, by, rule },
    });
  }
}

export class UnauthorizedError extends GatewayError {
  constructor(reason: string, cause?: unknown) {
    super(
      'SILK_GATEWAY_UNAUTHORIZED',
      `authentication failed: ${reason}; send a valid bearer token in the Authorization header`,
      { statusCode: 401, cause, details: { reason } },
    );
  }
}

export class CircuitOpenError extends GatewayError {
  constructor(routeId: string, breaker: string) {
    super(
      'SILK_GATEWAY_CIRCUIT_OPEN',
      `route '${routeId}': circuit breaker '${breaker}' is open after upstream failures; retry later`,
      { statusCode: 503, retryable: true, details: { routeId, breaker } },
    );
  }
}

/**
 * The observability error catalogue. Observability never takes a request down: a span that
 * cannot be exported is dropped (and logged), a health check that fails is a DOWN component.
 * What does throw is configuration that cannot mean anything — an exporter endpoint that is
 * not a URL, a propagation type Spring does not know — at start, before anything is served.
 */
import { SilkError, type SilkErrorOptions } from '../core/index.js';

export const OBSERVABILITY_ERROR_CODES = {
  SILK_OBSERVABILITY_CONFIG_INVALID: 'SILK_OBSERVABILITY_CONFIG_INVALID',
  SILK_OBSERVABILITY_HEALTH_TIMEOUT: 'SILK_OBSERVABILITY_HEALTH_TIMEOUT',
} as const;

export type ObservabilityErrorCode = keyof typeof OBSERVABILITY_ERROR_CODES;

export class ObservabilityError extends SilkError {
  constructor(code: ObservabilityErrorCode, message: string, options: SilkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A `management.*` / `logging.*` property whose value cannot be used. */
export class ObservabilityConfigError extends ObservabilityError {
  constructor(key: string, value: unknown, expected: string) {
    super(
      'SILK_OBSERVABILITY_CONFIG_INVALID',
      `property ${key}=${JSON.stringify(value)} is invalid; expected ${expected}`,
      { details: { key, value } },
    );
  }
}

/** A health contributor that did not answer in time counts as DOWN with this error. */
export class HealthCheckTimeoutError extends ObservabilityError {
  constructor(component: string, timeoutMs: number) {
    super(
      'SILK_OBSERVABILITY_HEALTH_TIMEOUT',
      `health check '${component}' did not answer within ${timeoutMs} ms; is the server reachable?`,
      { retryable: true, statusCode: 503, details: { component, timeoutMs } },
    );
  }
}

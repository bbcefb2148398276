/** Errors of calling another service by name. */
import { SilkError } from '../core/index.js';

export const HTTP_ERROR_CODES = {
  noInstance: 'SILK_HTTP_NO_INSTANCE',
  connectFailed: 'SILK_HTTP_CONNECT_FAILED',
  timeout: 'SILK_HTTP_TIMEOUT',
  badUrl: 'SILK_HTTP_BAD_URL',
} as const;

export class NoInstanceError extends SilkError {
  constructor(service: string) {
    super(
      HTTP_ERROR_CODES.noInstance,
      `no healthy instance of '${service}' is registered; is it running and in the same namespace and group?`,
      {
        statusCode: 503,
        retryable: true,
        details: { service },
      },
    );
  }
}

export class ConnectFailedError extends SilkError {
  constructor(service: string, tried: string[], cause: unknown) {
    super(HTTP_ERROR_CODES.connectFailed, `could not connect to '${service}' (tried ${tried.join(', ')})`, {
      cause,
      statusCode: 502,
      retryable: true,
      details: { service, tried },
    });
  }
}

export class CallTimeoutError extends SilkError {
  constructor(service: string, address: string, timeoutMs: number, cause: unknown) {
    super(HTTP_ERROR_CODES.timeout, `'${service}' at ${address} did not answer within ${timeoutMs} ms`, {
      cause,
      statusCode: 504,
      details: { service, address, timeoutMs },
    });
  }
}

export class BadServiceUrlError extends SilkError {
  constructor(url: string) {
    super(HTTP_ERROR_CODES.badUrl, `'${url}' is not a service URL; use http://<service-name>/<path>`, {
      details: { url },
    });
  }
}

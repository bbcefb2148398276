/**
 * Errors of Dubbo RPC. Codec errors mean corrupt bytes (the connection that sent them is
 * closed); call errors say which service, method and address failed and whether another
 * provider may succeed.
 */
import { SilkError } from '../core/index.js';
import type { JavaThrowable } from './java-values.js';

export const DUBBO_ERROR_CODES = {
  codec: 'SILK_DUBBO_CODEC',
  badFrame: 'SILK_DUBBO_BAD_FRAME',
  payloadTooLarge: 'SILK_DUBBO_PAYLOAD_TOO_LARGE',
  timeout: 'SILK_DUBBO_TIMEOUT',
  remoteException: 'SILK_DUBBO_REMOTE_EXCEPTION',
  remoteStatus: 'SILK_DUBBO_REMOTE_STATUS',
  connectionClosed: 'SILK_DUBBO_CONNECTION_CLOSED',
  noProvider: 'SILK_DUBBO_NO_PROVIDER',
  shutdown: 'SILK_DUBBO_SHUTDOWN',
  badArgument: 'SILK_DUBBO_BAD_ARGUMENT',
} as const;

/** Bytes that are not valid Hessian 2 or not a valid Dubbo body. */
export class DubboCodecError extends SilkError {
  constructor(message: string, cause?: unknown) {
    super(DUBBO_ERROR_CODES.codec, `undecodable Dubbo/Hessian 2 data: ${message}`, { cause });
  }
}

/** A frame header that cannot start a Dubbo frame; the connection is closed. */
export class BadFrameError extends SilkError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(
      DUBBO_ERROR_CODES.badFrame,
      `not a Dubbo frame (${reason}); the peer does not speak the dubbo protocol or the stream is corrupt, so the connection is closed`,
      { details },
    );
  }
}

export class PayloadTooLargeError extends SilkError {
  constructor(length: number, limit: number) {
    super(
      DUBBO_ERROR_CODES.payloadTooLarge,
      `Dubbo frame body of ${length} bytes exceeds the payload limit of ${limit} bytes (Dubbo's 'payload' setting, default 8 MiB); send less or raise the limit on both sides`,
      { details: { length, limit } },
    );
  }
}

export interface CallSite {
  service: string;
  method: string;
  address: string;
}

export class DubboTimeoutError extends SilkError {
  constructor(site: CallSite, timeoutMs: number) {
    super(
      DUBBO_ERROR_CODES.timeout,
      `${site.service}.${site.method} on ${site.address} did not answer within ${timeoutMs} ms; raise the timeout or check the provider`,
      { statusCode: 504, details: { ...site, timeoutMs } },
    );
  }
}

/** The provider ran the method and it threw: carries the Java class and message. */
export class DubboRemoteException extends SilkError {
  readonly javaClass: string;
  readonly remote: JavaThrowable;
  constructor(site: CallSite, remote: JavaThrowable) {
    super(
      DUBBO_ERROR_CODES.remoteException,
      `${site.service}.${site.method} on ${site.address} threw ${remote.javaClass}: ${remote.javaMessage ?? '(no message)'}`,
      { statusCode: 500, details: { ...site, javaClass: remote.javaClass, javaMessage: remote.javaMessage } },
    );
    this.javaClass = remote.javaClass;
    this.remote = remote;
  }
}

/** A non-OK response status (service not found, bad request, server error...). */
export class DubboRemoteStatusError extends SilkError {
  readonly status: number;
  constructor(site: CallSite, status: number, statusName: string, remoteMessage: string) {
    super(
      DUBBO_ERROR_CODES.remoteStatus,
      `${site.service}.${site.method} on ${site.address} answered ${statusName} (${status}): ${remoteMessage}`,
      {
        statusCode: 502,
        // A thread pool that is full or a provider that is gone may be fine elsewhere.
        retryable: status === 100 || status === 31,
        details: { ...site, status, remoteMessage },
      },
    );
    this.status = status;
  }
}

export class ConnectionClosedError extends SilkError {
  constructor(address: string, reason: string, cause?: unknown) {
    super(
      DUBBO_ERROR_CODES.connectionClosed,
      `the Dubbo connection to ${address} closed before the answer came (${reason}); the call may or may not have run`,
      { cause, statusCode: 502, retryable: true, details: { address, reason } },
    );
  }
}

export class NoProviderError extends SilkError {
  constructor(serviceKey: string, tried: string[] = []) {
    super(
      DUBBO_ERROR_CODES.noProvider,
      `no provider of ${serviceKey} is available${tried.length > 0 ? ` (tried ${tried.join(', ')})` : ''}; is one running and registered under that interface, version and group?`,
      { statusCode: 503, retryable: true, details: { serviceKey, tried } },
    );
  }
}

export class DubboShutdownError extends SilkError {
  constructor(what: string) {
    super(DUBBO_ERROR_CODES.shutdown, `${what} is shutting down and takes no new calls`, {
      statusCode: 503,
      retryable: true,
    });
  }
}

export class BadArgumentError extends SilkError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(DUBBO_ERROR_CODES.badArgument, message, { details });
  }
}

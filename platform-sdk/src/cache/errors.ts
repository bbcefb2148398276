/**
 * The cache and lock error catalogue. Each code is stable (tests and callers match on it) and
 * each message says what failed, with which input, and what to do next.
 *
 * A value in Redis that cannot be decoded is NOT an error here: it is a miss (logged), so one
 * bad writer cannot take readers down. Redis being unreachable surfaces as ioredis' own error.
 */
import { SilkError, type SilkErrorOptions } from '../core/index.js';

export const CACHE_ERROR_CODES = {
  SILK_CACHE_LOAD_FAILED: 'SILK_CACHE_LOAD_FAILED',
  SILK_CACHE_ENCODE_FAILED: 'SILK_CACHE_ENCODE_FAILED',
  SILK_CACHE_INVALID_OPTIONS: 'SILK_CACHE_INVALID_OPTIONS',
  SILK_CACHE_CLOSED: 'SILK_CACHE_CLOSED',
  SILK_LOCK_NOT_OWNER: 'SILK_LOCK_NOT_OWNER',
  SILK_LOCK_TIMEOUT: 'SILK_LOCK_TIMEOUT',
  SILK_LOCK_ABORTED: 'SILK_LOCK_ABORTED',
} as const;

export type CacheErrorCode = keyof typeof CACHE_ERROR_CODES;

/** Base of every cache/lock error, so callers can catch the capability as a whole. */
export class CacheError extends SilkError {
  constructor(code: CacheErrorCode, message: string, options: SilkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** The loader threw: the cause is the loader's error. Retrying may help (the source may be back). */
export class CacheLoadError extends CacheError {
  constructor(cache: string, key: string, cause: unknown) {
    super(
      'SILK_CACHE_LOAD_FAILED',
      `cache "${cache}": loading key "${key}" failed; nothing was cached, the next read retries the loader`,
      { cause, retryable: true, statusCode: 503, details: { cache, key } },
    );
  }
}

/** The codec could not encode a value on write: a programming error in the value or codec. */
export class CacheEncodeError extends CacheError {
  constructor(cache: string, key: string, cause: unknown) {
    super(
      'SILK_CACHE_ENCODE_FAILED',
      `cache "${cache}": the value for key "${key}" cannot be encoded by the cache codec; ` +
        'make the value serialisable or give the cache a codec that handles it',
      { cause, details: { cache, key } },
    );
  }
}

export class CacheOptionsError extends CacheError {
  constructor(cache: string, option: string, value: unknown, expected: string) {
    super(
      'SILK_CACHE_INVALID_OPTIONS',
      `cache "${cache}": option ${option}=${String(value)} is invalid; expected ${expected}`,
      { details: { cache, option, value } },
    );
  }
}

export class CacheClosedError extends CacheError {
  constructor(what: string) {
    super('SILK_CACHE_CLOSED', `${what} is closed; create a new one or stop using it after close()`, {
      details: { what },
    });
  }
}

/** Java's IllegalMonitorStateException: unlock by a thread that does not hold the lock. */
export class LockNotOwnerError extends CacheError {
  constructor(name: string, owner: string) {
    super(
      'SILK_LOCK_NOT_OWNER',
      `lock "${name}" is not held by ${owner} (it expired, or another client holds it); ` +
        'only the owner may unlock: check the lease time or let the watchdog renew it',
      { statusCode: 409, details: { name, owner } },
    );
  }
}

export class LockTimeoutError extends CacheError {
  constructor(name: string, waitTime: number) {
    super(
      'SILK_LOCK_TIMEOUT',
      `lock "${name}" was not acquired within ${waitTime} ms (another holder kept it); ` +
        'retry later or raise waitTime',
      { retryable: true, statusCode: 409, details: { name, waitTime } },
    );
  }
}

export class LockAbortedError extends CacheError {
  constructor(name: string, cause: unknown) {
    super('SILK_LOCK_ABORTED', `waiting for lock "${name}" was aborted by the caller's signal`, {
      cause,
      details: { name },
    });
  }
}

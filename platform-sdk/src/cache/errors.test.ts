import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import {
  CACHE_ERROR_CODES,
  CacheClosedError,
  CacheEncodeError,
  CacheError,
  CacheLoadError,
  CacheOptionsError,
  LockAbortedError,
  LockNotOwnerError,
  LockTimeoutError,
} from './errors.js';

describe('cache error catalogue', () => {
  const cause = new Error('db down');
  const samples: CacheError[] = [
    new CacheLoadError('users', 'u:1', cause),
    new CacheEncodeError('users', 'u:1', cause),
    new CacheOptionsError('users', 'ttlMs', -1, 'a TTL > 0 ms'),
    new CacheClosedError('cache "users"'),
    new LockNotOwnerError('orders:1', 'client x thread 1'),
    new LockTimeoutError('orders:1', 100),
    new LockAbortedError('orders:1', cause),
  ];

  it('has one class per code, every code SILK_CACHE_* or SILK_LOCK_*, and no code unused', () => {
    const codes = samples.map((e) => e.code).sort();
    expect(codes).toEqual(Object.keys(CACHE_ERROR_CODES).sort());
    for (const [key, value] of Object.entries(CACHE_ERROR_CODES)) {
      expect(key).toBe(value);
      expect(value).toMatch(/^SILK_(CACHE|LOCK)_[A-Z_]+$/);
    }
  });

  it('are SilkErrors with a name, details and a message naming the input', () => {
    for (const err of samples) {
      expect(isSilkError(err)).toBe(true);
      expect(err).toBeInstanceOf(CacheError);
      expect(err.name).toBe(err.constructor.name);
      expect(Object.keys(err.details).length).toBeGreaterThan(0);
      expect(err.message.length).toBeGreaterThan(20);
    }
  });

  it('marks what retrying can fix', () => {
    expect(new CacheLoadError('c', 'k', cause).retryable).toBe(true);
    expect(new LockTimeoutError('l', 1).retryable).toBe(true);
    expect(new LockNotOwnerError('l', 'o').retryable).toBe(false);
    expect(new CacheEncodeError('c', 'k', cause).retryable).toBe(false);
  });

  it('keeps the loader error as cause', () => {
    expect(new CacheLoadError('c', 'k', cause).cause).toBe(cause);
  });
});

import { describe, expect, it } from 'vitest';
import { SilkError, isSilkError } from './index.js';

class DemoError extends SilkError {}

describe('SilkError', () => {
  it('carries code, retryable, status and cause', () => {
    const cause = new Error('socket hang up');
    const err = new DemoError('SILK_DEMO_FAILED', 'demo failed', { cause, retryable: true, statusCode: 503 });
    expect(err.code).toBe('SILK_DEMO_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.statusCode).toBe(503);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('DemoError');
    expect(err).toBeInstanceOf(SilkError);
  });

  it('is recognised by brand, not only by prototype', () => {
    expect(isSilkError(new DemoError('SILK_X', 'x'))).toBe(true);
    expect(isSilkError(new Error('x'))).toBe(false);
    // An error from another copy of the SDK has another prototype but the same brand.
    const foreign = Object.assign(Object.create(Error.prototype) as object, {
      [Symbol.for('silk.error')]: true,
    });
    expect(isSilkError(foreign)).toBe(true);
    expect(isSilkError(null)).toBe(false);
  });

  it('defaults to not retryable with no status', () => {
    const err = new SilkError('SILK_Y', 'y');
    expect(err.retryable).toBe(false);
    expect(err.statusCode).toBeUndefined();
    expect(err.toJSON()).toMatchObject({ code: 'SILK_Y', message: 'y' });
  });
});

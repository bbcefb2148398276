import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs, validateBackoff } from './backoff.js';

describe('retry back-off', () => {
  it("follows the broker's default levels and stays at the last one", () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(DEFAULT_BACKOFF, n))).toEqual([
      1000, 5000, 10_000, 30_000, 60_000,
    ]);
    expect(retryDelayMs(DEFAULT_BACKOFF, 18)).toBe(2 * 3600_000);
    expect(retryDelayMs(DEFAULT_BACKOFF, 99)).toBe(2 * 3600_000);
    expect(retryDelayMs(DEFAULT_BACKOFF, 0)).toBe(1000);
  });

  it('grows exponentially up to its cap', () => {
    const p = { kind: 'exponential', initialMs: 100, maxMs: 1000, multiplier: 2 } as const;
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(p, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('rejects policies that cannot produce a delay', () => {
    expect(() => validateBackoff('c', { kind: 'customized', nextMs: [] })).toThrow(
      expect.objectContaining({ code: 'SILK_MQ_INVALID_OPTIONS' }),
    );
    expect(() =>
      validateBackoff('c', { kind: 'exponential', initialMs: 10, maxMs: 5, multiplier: 2 }),
    ).toThrow();
    expect(() =>
      validateBackoff('c', { kind: 'exponential', initialMs: 10, maxMs: 50, multiplier: 0.5 }),
    ).toThrow();
    expect(() => validateBackoff('c', DEFAULT_BACKOFF)).not.toThrow();
  });
});

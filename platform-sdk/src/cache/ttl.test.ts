import { describe, expect, it } from 'vitest';
import { jitteredTtl } from './ttl.js';

describe('jitteredTtl', () => {
  it('spreads TTLs uniformly over [ttl·(1−j), ttl·(1+j)]', () => {
    expect(jitteredTtl(1000, 0.1, () => 0)).toBe(900);
    expect(jitteredTtl(1000, 0.1, () => 0.5)).toBe(1000);
    expect(jitteredTtl(1000, 0.1, () => 0.999999)).toBe(1100);
  });

  it('keeps the TTL as is without jitter', () => {
    expect(jitteredTtl(1234, 0, () => 0.9)).toBe(1234);
  });

  it('never gives a TTL below 1 ms (PX 0 would delete)', () => {
    expect(jitteredTtl(1, 0.9, () => 0)).toBe(1);
    expect(jitteredTtl(0.2, 0)).toBe(1);
  });

  it('stays within bounds for random draws', () => {
    for (let i = 0; i < 1000; i++) {
      const ttl = jitteredTtl(60_000, 0.2);
      expect(ttl).toBeGreaterThanOrEqual(48_000);
      expect(ttl).toBeLessThanOrEqual(72_000);
    }
  });
});

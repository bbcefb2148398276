import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import {
  HealthCheckTimeoutError,
  OBSERVABILITY_ERROR_CODES,
  ObservabilityConfigError,
  type ObservabilityError,
} from './errors.js';

describe('observability error catalogue', () => {
  const samples: ObservabilityError[] = [
    new ObservabilityConfigError('management.tracing.sampling.probability', 'lots', 'a number from 0 to 1'),
    new HealthCheckTimeoutError('redis', 2000),
  ];

  it('has one class per code, every code SILK_OBSERVABILITY_*', () => {
    expect(samples.map((e) => e.code).sort()).toEqual(Object.keys(OBSERVABILITY_ERROR_CODES).sort());
    for (const [key, value] of Object.entries(OBSERVABILITY_ERROR_CODES)) {
      expect(key).toBe(value);
      expect(value).toMatch(/^SILK_OBSERVABILITY_[A-Z_]+$/);
    }
  });

  it('are SilkErrors naming their input', () => {
    for (const err of samples) {
      expect(isSilkError(err)).toBe(true);
      expect(err.name).toBe(err.constructor.name);
      expect(Object.keys(err.details).length).toBeGreaterThan(0);
    }
    expect(samples[0]!.message).toContain('management.tracing.sampling.probability');
    expect(samples[1]!.retryable).toBe(true);
  });
});

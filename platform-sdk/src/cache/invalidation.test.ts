import { describe, expect, it } from 'vitest';
import { decodeInvalidation, encodeInvalidation } from './invalidation.js';

describe('invalidation messages', () => {
  it('round-trip keys and "all"', () => {
    const keys = { origin: 'a', keys: ['k1', 'k:2'] };
    expect(decodeInvalidation(encodeInvalidation(keys))).toEqual(keys);
    expect(decodeInvalidation(encodeInvalidation({ origin: 'b', all: true }))).toEqual({
      origin: 'b',
      all: true,
    });
    expect(decodeInvalidation(encodeInvalidation({ origin: 'c', probe: 'n1' }))).toEqual({
      origin: 'c',
      probe: 'n1',
    });
  });

  it('reject malformed input without throwing', () => {
    for (const text of ['', 'nope', '[]', 'null', '{"k":["x"]}', '{"o":"a","k":[1]}', '{"o":"a"}']) {
      expect(decodeInvalidation(text)).toBeUndefined();
    }
  });
});

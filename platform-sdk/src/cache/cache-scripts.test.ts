import { describe, expect, it } from 'vitest';
import { entryKeys, hasHashTag } from './cache-scripts.js';

/** The part of a key Redis Cluster hashes (CLUSTER KEYSLOT's rule). */
function hashed(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('entryKeys', () => {
  it('the lease key hashes like the value key, so scripts on both run in one cluster slot', () => {
    for (const key of ['42', 'user:7', 'a{b}c', '{x}', 'weird{', '']) {
      const { value, lease } = entryKeys('silk:cache:', 'products', key);
      expect(value).toBe(`silk:cache:products:${key}`);
      expect(hashed(lease)).toBe(hashed(value));
      expect(lease).not.toBe(value);
    }
  });

  it('knows a hash tag when it sees one', () => {
    expect(hasHashTag('a{b}c')).toBe(true);
    expect(hasHashTag('a{}b')).toBe(false);
    expect(hasHashTag('a}b{')).toBe(false);
    expect(hasHashTag('plain')).toBe(false);
  });
});

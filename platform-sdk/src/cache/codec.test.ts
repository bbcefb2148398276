import { describe, expect, it } from 'vitest';
import { NEGATIVE_MARKER, defaultKeyCodec, jsonCodec, safeDecode, stringCodec } from './codec.js';

interface User {
  id: number;
  name: string;
}
const isUser = (v: unknown): v is User =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as User).id === 'number' &&
  typeof (v as User).name === 'string';

describe('codecs', () => {
  it('round-trips JSON', () => {
    const codec = jsonCodec<User>(isUser);
    const text = codec.encode({ id: 1, name: 'Ada' });
    expect(text).toBe('{"id":1,"name":"Ada"}');
    expect(codec.decode(text)).toEqual({ id: 1, name: 'Ada' });
  });

  it('refuses to encode what JSON cannot represent', () => {
    expect(() => jsonCodec<unknown>().encode(undefined)).toThrow(TypeError);
  });

  it('stores strings verbatim with the string codec', () => {
    expect(stringCodec.encode('plain')).toBe('plain');
  });
});

describe('safeDecode (codec fallback)', () => {
  const codec = jsonCodec<User>(isUser);

  it('reports garbage as corrupt instead of throwing', () => {
    const result = safeDecode(codec, '{not json');
    expect(result.kind).toBe('corrupt');
  });

  it('reports a well-formed value of the wrong shape as corrupt', () => {
    expect(safeDecode(codec, '{"id":"x"}').kind).toBe('corrupt');
  });

  it('recognises the negative-cache marker', () => {
    expect(safeDecode(codec, NEGATIVE_MARKER)).toEqual({ kind: 'absent' });
  });

  it('decodes a good value', () => {
    expect(safeDecode(codec, '{"id":2,"name":"Bo"}')).toEqual({
      kind: 'value',
      value: { id: 2, name: 'Bo' },
    });
  });

  it('the negative marker is not valid JSON, so it cannot collide with a JSON value', () => {
    expect(() => JSON.parse(NEGATIVE_MARKER) as unknown).toThrow();
  });
});

describe('defaultKeyCodec', () => {
  it('accepts scalars and refuses objects', () => {
    expect(defaultKeyCodec('a')).toBe('a');
    expect(defaultKeyCodec(42)).toBe('42');
    expect(() => defaultKeyCodec({ a: 1 })).toThrow(TypeError);
  });
});

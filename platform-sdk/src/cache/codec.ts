/**
 * How typed keys and values become Redis strings.
 *
 * Values are JSON by default, because the Java side (Jackson / Redisson's JsonJacksonCodec
 * configured without type info) reads the same bytes. A codec's `decode` may throw: the cache
 * treats that as a miss and logs it, it never reaches the caller.
 */

export interface Codec<V> {
  /** A name for logs and stats (e.g. "json"). */
  readonly name: string;
  encode(value: V): string;
  /** Throws when the text is not a valid V: the cache turns that into a logged miss. */
  decode(text: string): V;
}

/** Plain JSON; `validate` (a type guard or schema check) rejects a well-formed but wrong shape. */
export function jsonCodec<V>(validate?: (value: unknown) => value is V): Codec<V> {
  return {
    name: 'json',
    encode: (value) => {
      const text = JSON.stringify(value);
      // JSON.stringify(undefined) and of a bare function give undefined, not a string.
      if (typeof text !== 'string') throw new TypeError(`value of type ${typeof value} is not JSON`);
      return text;
    },
    decode: (text) => {
      const value: unknown = JSON.parse(text);
      if (validate && !validate(value)) throw new TypeError('decoded JSON failed validation');
      return value as V;
    },
  };
}

/** Strings stored as they are (no quotes), e.g. for values shared with a StringCodec Java side. */
export const stringCodec: Codec<string> = {
  name: 'string',
  encode: (value) => value,
  decode: (text) => text,
};

/** Turns a typed key into the key's text; the cache adds its own prefix. */
export type KeyCodec<K> = (key: K) => string;

export const defaultKeyCodec = (key: unknown): string => {
  switch (typeof key) {
    case 'string':
      return key;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(key);
    case 'undefined':
    case 'object':
    case 'function':
    case 'symbol':
      // Objects have no canonical text: a JSON of {a,b} and {b,a} would be two keys.
      throw new TypeError(`cache key of type ${typeof key} needs a keyCodec option`);
  }
};

/**
 * The text stored in Redis for "the loader found nothing" (negative caching). It starts with a
 * NUL byte, which no JSON document (and no sane string value) starts with.
 */
export const NEGATIVE_MARKER = '\u0000silk:absent';

export type Decoded<V> =
  { kind: 'value'; value: V } | { kind: 'absent' } | { kind: 'corrupt'; error: unknown };

/** Decodes without throwing: the marker is "absent", a decode error is "corrupt". */
export function safeDecode<V>(codec: Codec<V>, text: string): Decoded<V> {
  if (text === NEGATIVE_MARKER) return { kind: 'absent' };
  try {
    return { kind: 'value', value: codec.decode(text) };
  } catch (error) {
    return { kind: 'corrupt', error };
  }
}

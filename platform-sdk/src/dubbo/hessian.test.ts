import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DubboCodecError } from './errors.js';
import { HessianDecoder, decodeAll } from './hessian-decoder.js';
import { HessianEncoder, encodeAll } from './hessian-encoder.js';
import {
  BigDecimal,
  JavaThrowable,
  LocalDateTime,
  javaClassOf,
  javaEnum,
  javaObject,
} from './java-values.js';

// Written by Java Hessian (dubbo's hessian-lite 3.x, through Dubbo 3.3.5) with
// `java -jar interop/java/dubbo-app/target/dubbo-app.jar golden <file>`.
const golden = new Map(
  readFileSync(new URL('./fixtures/java-hessian2-golden.txt', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ') as [string, string])
    .map(([k, hex]) => [k, Buffer.from(hex, 'hex')]),
);
const bytes = (k: string): Buffer => golden.get(k)!;
const decode = (k: string): unknown => new HessianDecoder(bytes(k)).read();
const encode = (v: unknown): string => encodeAll([v]).toString('hex');

function sampleUser() {
  return javaObject('dev.silk.interop.dubbo.User', {
    scores: new Map([['math', [90, 9007199254740993n]]]),
    addresses: [javaObject('dev.silk.interop.dubbo.Address', { zip: '100000', city: 'Beijing' })],
    favourite: javaEnum('dev.silk.interop.dubbo.Color', 'GREEN'),
    age: 36,
    name: 'Ada',
    id: 9007199254740993n,
  });
}

describe('Hessian 2 against bytes written by Java', () => {
  it('decodes scalars as Java wrote them', () => {
    expect(decode('string')).toBe('héllo 世界');
    expect(decode('int')).toBe(-7);
    expect(decode('long_big')).toBe(9007199254740993n);
    expect(decode('long_small')).toBe(42);
    expect(decode('double')).toBe(2.5);
    expect(decode('true')).toBe(true);
    expect(decode('null')).toBe(null);
    expect(decode('bigdecimal')).toEqual(new BigDecimal('1.23'));
    expect(decode('date')).toEqual(new Date(1_700_000_000_000));
    expect(decode('localdatetime')).toEqual(new LocalDateTime(2024, 2, 29, 23, 30, 15, 0));
  });

  it('decodes collections, arrays, enums, POJOs and exceptions', () => {
    expect(decode('list')).toEqual(['a', 'b', 'c']);
    expect(decode('set')).toEqual(new Set([2]));
    expect(decode('map')).toEqual(new Map([['a', 1]]));
    expect(decode('int_array')).toEqual([1, 2, 3]);
    expect(decode('string_array')).toEqual(['a', 'b']);
    expect(decode('bytes')).toEqual(Buffer.from([0xff, 0, 1, 2, 3]));
    const color = decode('enum');
    expect(javaClassOf(color)).toBe('dev.silk.interop.dubbo.Color');
    expect(color).toEqual({ name: 'BLUE' });
    const user = decode('pojo') as Record<string, unknown>;
    expect(javaClassOf(user)).toBe('dev.silk.interop.dubbo.User');
    expect(user).toEqual({ ...sampleUser() });
    expect(javaClassOf((user.addresses as unknown[])[0])).toBe('dev.silk.interop.dubbo.Address');
    const ex = decode('exception');
    expect(ex).toEqual(new JavaThrowable('java.lang.IllegalArgumentException', 'boom from java'));
  });

  it('encodes scalars, lists, sets, maps, arrays and POJOs byte for byte as Java does', () => {
    expect(encode('héllo 世界')).toBe(bytes('string').toString('hex'));
    expect(encode(-7)).toBe(bytes('int').toString('hex'));
    expect(encode(9007199254740993n)).toBe(bytes('long_big').toString('hex'));
    expect(encode({ $class: 'long', $: 42 })).toBe(bytes('long_small').toString('hex'));
    expect(encode(2.5)).toBe(bytes('double').toString('hex'));
    expect(encode(true)).toBe(bytes('true').toString('hex'));
    expect(encode(null)).toBe(bytes('null').toString('hex'));
    expect(encode(new BigDecimal('1.23'))).toBe(bytes('bigdecimal').toString('hex'));
    expect(encode(new Date(1_700_000_000_000))).toBe(bytes('date').toString('hex'));
    expect(encode(['a', 'b', 'c'])).toBe(bytes('list').toString('hex'));
    expect(encode(new Set([2]))).toBe(bytes('set').toString('hex'));
    expect(encode(new Map([['a', { $class: 'long', $: 1 }]]))).toBe(bytes('map').toString('hex'));
    expect(encode({ $class: '[int', $: [1, 2, 3] })).toBe(bytes('int_array').toString('hex'));
    expect(encode({ $class: '[string', $: ['a', 'b'] })).toBe(bytes('string_array').toString('hex'));
    expect(encode(Buffer.from([0xff, 0, 1, 2, 3]))).toBe(bytes('bytes').toString('hex'));
    expect(encode(javaEnum('dev.silk.interop.dubbo.Color', 'BLUE'))).toBe(bytes('enum').toString('hex'));
  });

  it('round-trips what it cannot match byte for byte (field order, time handles)', () => {
    const t = new LocalDateTime(2024, 2, 29, 23, 30, 15, 0);
    expect(decodeAll(encodeAll([t]))).toEqual([t]);
    const user = sampleUser();
    const back = decodeAll(encodeAll([user]))[0];
    expect(back).toEqual({ ...user });
    expect(javaClassOf(back)).toBe('dev.silk.interop.dubbo.User');
    const ex = new JavaThrowable(
      'java.lang.IllegalStateException',
      'no',
      new JavaThrowable('java.io.IOException', 'disk'),
    );
    expect(decodeAll(encodeAll([ex]))).toEqual([ex]);
  });

  it('round-trips long strings and binaries across chunk boundaries, and surrogate pairs', () => {
    const s = 'x'.repeat(0x8000 - 1) + '😀' + 'é'.repeat(40_000);
    const b = Buffer.alloc(100_000, 7);
    expect(decodeAll(encodeAll([s, b, '😀']))).toEqual([s, b, '😀']);
  });

  it('keeps int, long and double ranges apart', () => {
    const values = [
      0,
      -16,
      47,
      -2048,
      2047,
      -262144,
      262143,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 40,
      -(2n ** 63n),
      2n ** 63n - 1n,
      0.1,
      -0.5,
      1e300,
    ];
    expect(decodeAll(encodeAll(values))).toEqual(values.map((v) => (typeof v === 'bigint' ? v : v)));
  });

  it('rejects truncated and unknown input with a codec error', () => {
    expect(() => new HessianDecoder(bytes('pojo').subarray(0, 30)).read()).toThrow(DubboCodecError);
    expect(() => new HessianDecoder(Buffer.from([0x4c, 1, 2])).read()).toThrow(DubboCodecError);
    expect(() => new HessianDecoder(Buffer.from([0x51, 0x90])).read()).toThrow(DubboCodecError);
    expect(() => new HessianDecoder(Buffer.from([0x60])).read()).toThrow(DubboCodecError);
  });

  it('decodes short strings to themselves whatever the recent-strings cache holds', () => {
    // More distinct strings than cache slots, same lengths, so slots collide and get replaced.
    const strings = Array.from({ length: 5000 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    const mixed = ['é', 'aé', 'x'.repeat(48), 'y'.repeat(49), '', 'k00001', '世界', 'k00001'];
    for (let round = 0; round < 2; round++) {
      expect(decodeAll(encodeAll(strings))).toEqual(strings);
      expect(decodeAll(encodeAll(mixed))).toEqual(mixed);
    }
  });

  it('reads 64-bit longs as numbers exactly when within ±(2^53 - 1), else as bigint', () => {
    const long64 = (v: bigint) => {
      const b = Buffer.alloc(9);
      b[0] = 0x4c;
      b.writeBigInt64BE(v, 1);
      return new HessianDecoder(b).read();
    };
    const max = 2n ** 53n - 1n;
    for (const v of [0n, -1n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), -(2n ** 32n) - 1n, max, -max])
      expect(long64(v)).toBe(Number(v));
    for (const v of [max + 1n, -max - 1n, -max - 2n ** 32n, 2n ** 63n - 1n, -(2n ** 63n)])
      expect(long64(v)).toBe(v);
  });

  it('gives decoded POJOs their Java class without a field for it, and writes them back under it', () => {
    const user = decode('pojo') as Record<string, unknown>;
    expect(Object.keys(user)).toEqual(['scores', 'addresses', 'favourite', 'age', 'name', 'id']);
    expect(
      JSON.parse(JSON.stringify(user, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
    ).toEqual({
      id: '9007199254740993',
      name: 'Ada',
      age: 36,
      favourite: { name: 'GREEN' },
      addresses: [{ city: 'Beijing', zip: '100000' }],
      scores: {},
    });
    const back = decodeAll(encodeAll([user, user]));
    expect(back.map(javaClassOf)).toEqual(['dev.silk.interop.dubbo.User', 'dev.silk.interop.dubbo.User']);
    expect(back[1]).toEqual({ ...user });
  });

  it('writes class definitions once per message, afresh in the next, and apart per field set', () => {
    const e = new HessianEncoder();
    const a = javaObject('x.A', { f: 1 });
    const first = e.reset().write(a).write(a).toBuffer();
    expect(first.toString('hex')).toBe('4303782e4191016660916091');
    expect(e.reset().write(a).toBuffer().toString('hex')).toBe('4303782e41910166' + '6091');
    const two = e
      .reset()
      .write(a)
      .write(javaObject('x.A', { g: 2 }))
      .toBuffer();
    const [x, y] = decodeAll(two);
    expect([x, y]).toEqual([{ f: 1 }, { g: 2 }]);
    expect(two.subarray(8, 9).toString('hex')).toBe('60');
    expect(two.toString('hex').endsWith('6192')).toBe(true);
    // Definitions are copied from a cache of the last field set per class: alternate the sets.
    for (const fields of [{ f: 1 }, { g: 2 }, { f: 3 }, { g: 4, h: 5 }, { f: 6 }])
      expect(decodeAll(encodeAll([javaObject('x.A', { ...fields })]))).toEqual([fields]);
  });

  it('refuses cyclic values instead of looping', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => new HessianEncoder().write(a)).toThrow(DubboCodecError);
  });

  it('survives random garbage without hanging or throwing anything but codec errors', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed & 0xff);
    for (let i = 0; i < 2000; i++) {
      const g = Buffer.from(Array.from({ length: 1 + (i % 64) }, rnd));
      try {
        decodeAll(g);
      } catch (e) {
        if (!(e instanceof DubboCodecError)) throw e;
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { BadArgumentError } from './errors.js';
import { decodeAll } from './hessian-decoder.js';
import { encodeAll } from './hessian-encoder.js';
import { defineJavaClass, jvmDescriptor, parameterTypesDesc, parseJavaType, toJava } from './java-types.js';
import { BigDecimal, javaClassOf } from './java-values.js';

const wire = (type: string, v: unknown) => encodeAll([toJava(type, v)]).toString('hex');

describe('Java types', () => {
  it('gives JVM descriptors as Dubbo writes parameterTypesDesc', () => {
    expect(
      parameterTypesDesc([
        'java.lang.String',
        'long',
        'int[]',
        'java.util.Map<java.lang.String, java.util.List<java.lang.Long>>',
        'byte[][]',
        'boolean',
      ]),
    ).toBe('Ljava/lang/String;J[ILjava/util/Map;[[BZ');
    expect(jvmDescriptor('dev.silk.User')).toBe('Ldev/silk/User;');
    expect(parseJavaType('java.util.List<java.util.Set<int[]>>').args[0]!.args[0]).toEqual({
      name: 'int',
      args: [],
      dims: 1,
    });
    expect(() => parseJavaType('java.util.List<')).toThrow(BadArgumentError);
    expect(() => parseJavaType('1abc')).toThrow(BadArgumentError);
  });

  it('writes numbers as the declared Java type', () => {
    expect(wire('long', 42)).toBe('f82a'); // a long, not the int 0xba
    expect(wire('int', 42)).toBe('ba');
    expect(wire('double', 2)).toBe('5d02');
    expect(wire('java.lang.Long', '9007199254740993')).toBe('4c0020000000000001');
    expect(() => toJava('int', 2 ** 40)).toThrow(BadArgumentError);
    expect(() => toJava('long', 1.5)).toThrow(BadArgumentError);
  });

  it('types nested generics, arrays, enums and POJO fields', () => {
    defineJavaClass('dev.silk.interop.dubbo.Color', { enumOf: ['RED', 'GREEN', 'BLUE'] });
    defineJavaClass('dev.silk.interop.dubbo.User', {
      fields: {
        id: 'long',
        name: 'java.lang.String',
        favourite: 'dev.silk.interop.dubbo.Color',
        scores: 'java.util.Map<java.lang.String, java.util.List<java.lang.Long>>',
      },
    });
    const u = toJava('dev.silk.interop.dubbo.User', {
      id: 1,
      name: 'a',
      favourite: 'RED',
      scores: { m: [1, 2] },
    });
    expect(javaClassOf(u)).toBe('dev.silk.interop.dubbo.User');
    const back = decodeAll(encodeAll([u]))[0] as Record<string, unknown>;
    expect(javaClassOf(back.favourite)).toBe('dev.silk.interop.dubbo.Color');
    expect(back.scores).toEqual(new Map([['m', [1, 2]]]));
    // the longs inside the map's lists went out as longs (0xe1, 0xe2), not ints
    expect(encodeAll([toJava('java.util.List<java.lang.Long>', [1, 2])]).toString('hex')).toBe('7ae1e2');
    expect(encodeAll([toJava('int[]', [1, 2, 3])]).toString('hex')).toBe('73045b696e74919293');
    expect(encodeAll([toJava('java.lang.String[]', ['a', 'b'])]).toString('hex')).toBe(
      '72075b737472696e6701610162',
    );
    expect(toJava('byte[]', [1, 2])).toEqual(Buffer.from([1, 2]));
    expect(toJava('java.math.BigDecimal', '1.5')).toEqual(new BigDecimal('1.5'));
    expect(() => toJava('dev.silk.interop.dubbo.Color', 'PINK')).toThrow(BadArgumentError);
    expect(toJava('java.util.Set<java.lang.Integer>', [1])).toEqual(new Set([{ $class: 'int', $: 1 }]));
  });
});

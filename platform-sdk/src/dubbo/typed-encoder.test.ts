import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadArgumentError } from './errors.js';
import { HessianDecoder } from './hessian-decoder.js';
import { HessianEncoder } from './hessian-encoder.js';
import { defineJavaClass, parseJavaType, toJava } from './java-types.js';
import { BigDecimal, LocalDateTime, javaEnum, javaObject } from './java-values.js';
import { writeJava } from './typed-encoder.js';

const P = 'dev.silk.typed';
defineJavaClass(`${P}.Color`, { enumOf: ['RED', 'GREEN'] });
defineJavaClass(`${P}.Item`, {
  fields: { sku: 'java.lang.String', qty: 'int', price: 'java.math.BigDecimal' },
});
defineJavaClass(`${P}.Order`, {
  fields: {
    id: 'long',
    items: `java.util.List<${P}.Item>`,
    color: `${P}.Color`,
    tags: 'java.util.Set<java.lang.String>',
    counts: 'java.util.Map<java.lang.String, java.lang.Long>',
    matrix: 'int[][]',
    blob: 'byte[]',
    when: 'java.util.Date',
    at: 'java.time.LocalDateTime',
    parent: `${P}.Order`,
    extra: 'java.lang.Object',
  },
});

/** Both ways of writing, each in a fresh message, as hex. */
function both(type: string, value: unknown): [string, string] {
  const viaCopy = new HessianEncoder().reset().write(toJava(type, value)).toBuffer().toString('hex');
  const e = new HessianEncoder().reset();
  writeJava(e, parseJavaType(type), value);
  return [e.toBuffer().toString('hex'), viaCopy];
}

const order = {
  id: 9007199254740993n,
  items: [
    { sku: 'a-1', qty: 2, price: '9.99' },
    { sku: 'b-2', qty: 1, price: new BigDecimal('100') },
  ],
  color: 'GREEN',
  tags: new Set(['x', 'y']),
  counts: { a: 1, b: 2n ** 40n },
  matrix: [[1, 2], [3]],
  blob: [1, 2, 255],
  when: new Date(1_700_000_000_000),
  at: new LocalDateTime(2024, 2, 29, 23, 30, 15, 5),
  parent: { id: 1, items: [], color: javaEnum(`${P}.Color`, 'RED') },
  extra: new Map<unknown, unknown>([[1, 'one']]),
};

describe('writeJava: the bytes of write(toJava(type, value)) without the copy', () => {
  it.each([
    ['long', 5],
    ['long', -300_000],
    ['java.lang.Long', 9007199254740993n],
    ['long', '-9007199254740993'],
    ['int', 7],
    ['java.lang.Integer', 5n],
    ['short', -2],
    ['double', 2.5],
    ['float', 3],
    ['java.lang.Double', '1.5'],
    ['boolean', true],
    ['java.lang.String', 'héllo 世界'],
    ['java.math.BigDecimal', '1.23'],
    ['java.math.BigDecimal', 4],
    ['java.util.Date', new Date(0)],
    ['java.time.LocalDateTime', new LocalDateTime(2020, 1, 1)],
    ['int[]', [1, 2, 3]],
    ['long[]', new Set([1, 2])],
    ['java.lang.String[]', ['a', null]],
    ['byte[]', Buffer.from([1, 2])],
    ['byte[]', [3, 4]],
    ['byte[][]', [[1], Buffer.from([2])]],
    ['java.util.List<java.lang.Long>', [1, 2n, null]],
    ['java.util.List', [1, 'a', { k: 1 }]],
    ['java.util.Collection<java.lang.Integer>', new Set([1, 2])],
    ['java.util.Set<java.lang.Integer>', [1, 1, 2]],
    ['java.util.Set<java.lang.String>', ['a', 'a']],
    ['java.util.Map<java.lang.String, java.util.List<java.lang.Long>>', new Map([['m', [90, 1n]]])],
    ['java.util.Map<java.lang.Long, java.lang.String>', { 1: 'a', 2: 'b' }],
    ['java.util.HashMap', { a: 1 }],
    [`${P}.Color`, 'RED'],
    [`${P}.Color`, { name: 'GREEN' }],
    [`${P}.Order`, order],
    [`${P}.Order`, javaObject(`${P}.Sub`, { id: 3 })],
    [`${P}.Undeclared`, { a: 1, b: [1] }],
    [`${P}.Undeclared`, javaObject(`${P}.Other`, { a: 1 })],
    ['java.lang.Object', { a: 1 }],
    ['java.lang.String', null],
    [`${P}.Order`, undefined],
  ] as [string, unknown][])('%s (case %#)', (type, value) => {
    const [direct, viaCopy] = both(type, value);
    expect(direct).toBe(viaCopy);
  });

  it('shares class definitions across values of one message as the copy does', () => {
    const viaCopy = new HessianEncoder().reset();
    viaCopy.write(toJava(`${P}.Order`, order)).write(toJava(`${P}.Item`, order.items[0]));
    const e = new HessianEncoder().reset();
    writeJava(e, parseJavaType(`${P}.Order`), order);
    writeJava(e, parseJavaType(`${P}.Item`), order.items[0]);
    expect(e.toBuffer().toString('hex')).toBe(viaCopy.toBuffer().toString('hex'));
  });

  it.each([
    ['int', 2 ** 31],
    ['long', 1.5],
    ['long', 'x'],
    [`${P}.Color`, 'BLUE'],
    ['java.util.List<java.lang.Long>', 5],
    [`${P}.Order`, { id: 1, items: [{ qty: 'many' }] }],
  ] as [string, unknown][])('rejects %s (case %#) with the same error as toJava', (type, value) => {
    expect(() => toJava(type, value)).toThrow(BadArgumentError);
    const e = new HessianEncoder().reset();
    expect(() => writeJava(e, parseJavaType(type), value)).toThrow(BadArgumentError);
  });

  it('writes a POJO as Java Hessian does, byte for byte but for the map type Java names', () => {
    // Java wrote this User (fields in its reflection order) with `dubbo-app.jar golden`.
    const golden = readFileSync(new URL('./fixtures/java-hessian2-golden.txt', import.meta.url), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('pojo '))!
      .slice(5);
    const J = 'dev.silk.interop.dubbo';
    defineJavaClass(`${J}.Color`, { enumOf: ['RED', 'GREEN', 'BLUE'] });
    defineJavaClass(`${J}.Address`, { fields: { zip: 'java.lang.String', city: 'java.lang.String' } });
    defineJavaClass(`${J}.User`, {
      fields: {
        scores: 'java.util.Map<java.lang.String, java.util.List<java.lang.Long>>',
        addresses: `java.util.List<${J}.Address>`,
        favourite: `${J}.Color`,
        age: 'int',
        name: 'java.lang.String',
        id: 'long',
      },
    });
    const user = new HessianDecoder(Buffer.from(golden, 'hex')).read();
    const e = new HessianEncoder().reset();
    writeJava(e, parseJavaType(`${J}.User`), user);
    // Java names its LinkedHashMap ('M' + type); we write a plain map ('H'), which Java reads as a HashMap.
    const linkedHashMap = `4d17${Buffer.from('java.util.LinkedHashMap').toString('hex')}`;
    expect(golden).toContain(linkedHashMap);
    expect(e.toBuffer().toString('hex')).toBe(golden.replace(linkedHashMap, '48'));
  });
});

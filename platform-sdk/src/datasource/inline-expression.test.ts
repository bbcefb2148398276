import { describe, expect, it } from 'vitest';
import { expandInlineExpression, parseDataNodes } from './inline-expression.js';

describe('inline expressions', () => {
  it('expands the Cartesian product of ranges, data source first', () => {
    expect(expandInlineExpression('ds_${0..1}.t_order_${0..1}')).toEqual([
      'ds_0.t_order_0',
      'ds_0.t_order_1',
      'ds_1.t_order_0',
      'ds_1.t_order_1',
    ]);
  });

  it('accepts $->{} and lists, and commas between whole expressions', () => {
    expect(expandInlineExpression("ds_0.t_$->{['a','b']},ds_1.t_${2..3}")).toEqual([
      'ds_0.t_a',
      'ds_0.t_b',
      'ds_1.t_2',
      'ds_1.t_3',
    ]);
  });

  it('leaves plain names alone', () => {
    expect(expandInlineExpression('ds.t_order')).toEqual(['ds.t_order']);
  });

  it('refuses Groovy it does not evaluate, and nodes without a data source', () => {
    expect(() => expandInlineExpression('t_${x % 2}')).toThrow(/neither a range/);
    expect(() => expandInlineExpression('t_${0..1')).toThrow(/unclosed/);
    expect(() => parseDataNodes('t_order_${0..1}', 'table t_order')).toThrow(
      expect.objectContaining({ code: 'SILK_SHARDING_RULE_INVALID' }),
    );
  });

  it('parses data nodes', () => {
    expect(parseDataNodes('ds_${0..1}.t', 'x')).toEqual([
      { dataSource: 'ds_0', table: 't' },
      { dataSource: 'ds_1', table: 't' },
    ]);
  });
});

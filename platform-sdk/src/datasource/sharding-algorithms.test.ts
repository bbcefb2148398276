import { describe, expect, it } from 'vitest';
import { createShardingAlgorithm, findMatchedTarget, javaHashCode } from './sharding-algorithms.js';

const tables = ['t_order_0', 't_order_1', 't_order_2', 't_order_3'];

describe('MOD', () => {
  const mod = createShardingAlgorithm('MOD', { 'sharding-count': 4 }, 'test');
  it('maps value % count to the target with that suffix, negatives like BigInteger.mod', () => {
    expect(mod.doSharding(tables, 6)).toBe('t_order_2');
    expect(mod.doSharding(tables, 6n)).toBe('t_order_2');
    expect(mod.doSharding(tables, '9')).toBe('t_order_1');
    expect(mod.doSharding(tables, -1)).toBe('t_order_3');
  });
  it('routes a short range to its few targets, a long or open one to all', () => {
    expect(mod.doRangeSharding(tables, { lower: 5, upper: 6 })).toEqual(['t_order_1', 't_order_2']);
    expect(mod.doRangeSharding(tables, { lower: 0, upper: 3 })).toEqual(tables);
    expect(mod.doRangeSharding(tables, { lower: 5 })).toEqual(tables);
  });
  it('honours start/stop offsets and zero padding', () => {
    const cut = createShardingAlgorithm('MOD', { 'sharding-count': 4, 'start-offset': 1, 'stop-offset': 1 }, 't');
    expect(cut.doSharding(tables, '9069')).toBe('t_order_2'); // 06 % 4
    const padded = createShardingAlgorithm('MOD', { 'sharding-count': 16, 'zero-padding': true }, 't');
    expect(padded.doSharding(['t_00', 't_05', 't_15'], 21)).toBe('t_05');
  });
  it('rejects a missing or non-positive sharding-count', () => {
    expect(() => createShardingAlgorithm('MOD', {}, 't')).toThrow(expect.objectContaining({ code: 'SILK_SHARDING_RULE_INVALID' }));
    expect(() => createShardingAlgorithm('MOD', { 'sharding-count': 0 }, 't')).toThrow(/positive/);
    expect(() => createShardingAlgorithm('NOPE', {}, 't')).toThrow(/not one of/);
  });
});

describe('HASH_MOD and Java hashCode', () => {
  it('computes String and Long hashCode as Java does', () => {
    expect(javaHashCode('hello')).toBe(99162322);
    expect(javaHashCode('Aa')).toBe(javaHashCode('BB'));
    expect(javaHashCode('polygenelubricants')).toBe(-2147483648);
    expect(javaHashCode(-1)).toBe(0); // Long.hashCode(-1L)
    expect(javaHashCode(2 ** 32)).toBe(1);
    expect(javaHashCode(12345)).toBe(12345);
    expect(javaHashCode(1.5)).toBe(1073217536); // Double.hashCode(1.5)
  });
  it('routes abs(hashCode) % count', () => {
    const h = createShardingAlgorithm('HASH_MOD', { 'sharding-count': 4 }, 't');
    expect(h.doSharding(tables, 'hello')).toBe(`t_order_${99162322 % 4}`);
    expect(h.doSharding(tables, 'polygenelubricants')).toBe('t_order_0');
    expect(h.doRangeSharding(tables, { lower: 1, upper: 2 })).toEqual(tables);
  });
});

describe('BOUNDARY_RANGE and VOLUME_RANGE', () => {
  it('BOUNDARY_RANGE: partition 0 below the first boundary, then [b(i-1), b(i)), last at or above', () => {
    const b = createShardingAlgorithm('BOUNDARY_RANGE', { 'sharding-ranges': '10, 20, x, 30' }, 't');
    expect(b.doSharding(tables, 9)).toBe('t_order_0');
    expect(b.doSharding(tables, 10)).toBe('t_order_1');
    expect(b.doSharding(tables, 29)).toBe('t_order_2');
    expect(b.doSharding(tables, 30)).toBe('t_order_3');
    expect(b.doRangeSharding(tables, { lower: 15, upper: 25 })).toEqual(['t_order_1', 't_order_2']);
    expect(b.doRangeSharding(tables, { upper: 12 })).toEqual(['t_order_0', 't_order_1']);
  });
  it('VOLUME_RANGE: below lower, volumes up to upper, at or above upper', () => {
    const v = createShardingAlgorithm('VOLUME_RANGE', { 'range-lower': 10, 'range-upper': 30, 'sharding-volume': 10 }, 't');
    expect(v.doSharding(tables, 9)).toBe('t_order_0');
    expect(v.doSharding(tables, 10)).toBe('t_order_1');
    expect(v.doSharding(tables, 25)).toBe('t_order_2');
    expect(v.doSharding(tables, 30)).toBe('t_order_3');
    expect(() => createShardingAlgorithm('VOLUME_RANGE', { 'range-lower': 0, 'range-upper': 5, 'sharding-volume': 10 }, 't')).toThrow(
      /at least/,
    );
  });
});

describe('INTERVAL', () => {
  const monthly = ['t_202401', 't_202402', 't_202403', 't_202404'];
  const interval = createShardingAlgorithm(
    'INTERVAL',
    {
      'datetime-pattern': 'yyyy-MM-dd HH:mm:ss',
      'datetime-lower': '2024-01-01 00:00:00',
      'datetime-upper': '2024-04-30 23:59:59',
      'sharding-suffix-pattern': 'yyyyMM',
      'datetime-interval-amount': 1,
      'datetime-interval-unit': 'MONTHS',
    },
    't',
  );
  it('maps a date-time string to the month table, cutting or relaxing the pattern', () => {
    expect(interval.doSharding(monthly, '2024-02-29 12:00:00')).toBe('t_202402');
    expect(interval.doSharding(monthly, '2024-03-01 00:00:00.123')).toBe('t_202403');
    expect(interval.doSharding(monthly, '2024-04-05')).toBe('t_202404');
    expect(interval.doSharding(monthly, '2023-12-31 23:59:59')).toBeUndefined();
  });
  it('maps a Date by its local fields', () => {
    expect(interval.doSharding(monthly, new Date(2024, 0, 31, 23, 0, 0))).toBe('t_202401');
  });
  it('routes a range to every month it touches', () => {
    expect(interval.doRangeSharding(monthly, { lower: '2024-01-15 00:00:00', upper: '2024-03-01 00:00:00' }).sort()).toEqual([
      't_202401',
      't_202402',
      't_202403',
    ]);
    expect(
      interval.doRangeSharding(monthly, { lower: '2024-01-15 00:00:00', upper: '2024-03-01 00:00:00', upperClosed: false }).sort(),
    ).toEqual(['t_202401', 't_202402']);
  });
  it('steps by days by default', () => {
    const daily = createShardingAlgorithm(
      'INTERVAL',
      { 'datetime-pattern': 'yyyy-MM-dd', 'datetime-lower': '2024-01-30', 'datetime-upper': '2024-02-02', 'sharding-suffix-pattern': 'MMdd' },
      't',
    );
    expect(daily.doRangeSharding(['o_0130', 'o_0131', 'o_0201', 'o_0202'], { lower: '2024-01-31', upper: '2024-02-01' }).sort()).toEqual([
      'o_0131',
      'o_0201',
    ]);
  });
  it('rejects bad props', () => {
    expect(() => createShardingAlgorithm('INTERVAL', { 'datetime-pattern': 'yyyy' }, 't')).toThrow(/datetime-lower|sharding-suffix/);
    expect(() =>
      createShardingAlgorithm(
        'INTERVAL',
        { 'datetime-pattern': 'yyyy', 'datetime-lower': '2024', 'sharding-suffix-pattern': 'yyyy', 'datetime-interval-unit': 'FORTNIGHTS' },
        't',
      ),
    ).toThrow(/ChronoUnit/);
  });
});

describe('findMatchedTarget', () => {
  it('pads the suffix to the first target suffix length', () => {
    expect(findMatchedTarget(['t_00', 't_01'], '1')).toBe('t_01');
    expect(findMatchedTarget(['ds_0', 'ds_1'], '2')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isSilkError } from '../core/index.js';
import {
  ClockBackwardsError,
  DATASOURCE_ERROR_CODES,
  type DatasourceError,
  DataSourceUnavailableError,
  NoRouteError,
  SegmentAllocationError,
  ShardingRuleError,
  UnknownDataSourceError,
  UnsupportedShardingSqlError,
  WorkerIdUnavailableError,
} from './errors.js';

describe('datasource error catalogue', () => {
  const samples: DatasourceError[] = [
    new ShardingRuleError('table t_order', 'no actualDataNodes'),
    new UnsupportedShardingSqlError('a subquery reads sharded table t_order', 'SELECT 1'),
    new NoRouteError('t_order', 'order_id', 7),
    new UnknownDataSourceError('ds_9', ['ds_0']),
    new DataSourceUnavailableError('ds_0', new Error('down')),
    new WorkerIdUnavailableError('lease lost', { workerId: 3 }),
    new ClockBackwardsError(2000, 1000, 5),
    new SegmentAllocationError('order', 'no row', new Error('x')),
  ];

  it('has one class per code, each SILK_(SHARDING|DATASOURCE|ID)_*, none unused', () => {
    expect(samples.map((e) => e.code).sort()).toEqual(Object.keys(DATASOURCE_ERROR_CODES).sort());
    for (const [k, v] of Object.entries(DATASOURCE_ERROR_CODES)) {
      expect(k).toBe(v);
      expect(v).toMatch(/^SILK_(SHARDING|DATASOURCE|ID)_[A-Z_]+$/);
    }
  });

  it('are SilkErrors with a name, details and a message naming the input', () => {
    for (const err of samples) {
      expect(isSilkError(err)).toBe(true);
      expect(err.name).toBe(err.constructor.name);
      expect(Object.keys(err.details).length).toBeGreaterThan(0);
      expect(err.message.length).toBeGreaterThan(30);
    }
  });

  it('marks what retrying can fix', () => {
    expect(new DataSourceUnavailableError('ds', null).retryable).toBe(true);
    expect(new ClockBackwardsError(2, 1, 0).retryable).toBe(true);
    expect(new UnsupportedShardingSqlError('r', 's').retryable).toBe(false);
    expect(new ShardingRuleError('w', 'p').retryable).toBe(false);
  });

  it('clips long SQL in the message but keeps it whole in details', () => {
    const sql = `SELECT ${'x,'.repeat(200)} 1`;
    const err = new UnsupportedShardingSqlError('r', sql);
    expect(err.message.length).toBeLessThan(400);
    expect(err.details.sql).toBe(sql);
  });
});

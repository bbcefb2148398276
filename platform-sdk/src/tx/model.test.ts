import { describe, expect, it } from 'vitest';
import { buildLockKey, formatXid, GlobalStatus, globalStatusName, isGlobalFinal, parseLockKeys, transactionIdOf } from './model.js';

describe('Seata model', () => {
  it("keeps Seata's GlobalStatus codes", () => {
    expect(GlobalStatus.Begin).toBe(1);
    expect(GlobalStatus.AsyncCommitting).toBe(8);
    expect(GlobalStatus.Committed).toBe(9);
    expect(GlobalStatus.TimeoutRollbacked).toBe(13);
    expect(GlobalStatus.RollbackRetryTimeout).toBe(17);
    expect(globalStatusName(11)).toBe('Rollbacked');
    expect(isGlobalFinal(GlobalStatus.Committed)).toBe(true);
    expect(isGlobalFinal(GlobalStatus.CommitRetrying)).toBe(false);
  });

  it('formats the XID as ip:port:transactionId and reads the id back', () => {
    const xid = formatXid('10.0.0.5', 8091, '401538928596004864');
    expect(xid).toBe('10.0.0.5:8091:401538928596004864');
    expect(transactionIdOf(xid)).toBe('401538928596004864');
    expect(transactionIdOf('no-id')).toBeUndefined();
  });

  it('builds lock keys table:pk1,pk2 with composite keys joined by _', () => {
    expect(buildLockKey('account', [['1'], ['2']])).toBe('account:1,2');
    expect(buildLockKey('order_item', [['1001', '1']])).toBe('order_item:1001_1');
    expect(parseLockKeys('account:1,2;stock:7')).toEqual([
      { table: 'account', pk: '1' },
      { table: 'account', pk: '2' },
      { table: 'stock', pk: '7' },
    ]);
    expect(parseLockKeys('')).toEqual([]);
  });
});

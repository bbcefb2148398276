import { describe, expect, it } from 'vitest';
import { isConnectionError, judgeReplica } from './replica-health.js';

const ok = { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: 0 };

describe('judging a replica from SHOW SLAVE STATUS', () => {
  it('admits a running replica within the lag, skips one beyond it', () => {
    expect(judgeReplica(ok, 5)).toMatchObject({ usable: true, lagSeconds: 0 });
    expect(judgeReplica({ ...ok, Seconds_Behind_Master: 5 }, 5).usable).toBe(true);
    expect(judgeReplica({ ...ok, Seconds_Behind_Master: 6 }, 5)).toMatchObject({ usable: false, lagSeconds: 6 });
  });

  it('skips stopped replication, unknown lag and servers that are no replica', () => {
    expect(judgeReplica({ ...ok, Slave_SQL_Running: 'No' }, 5).usable).toBe(false);
    expect(judgeReplica({ ...ok, Slave_IO_Running: 'Connecting' }, 5).reason).toMatch(/io Connecting/);
    expect(judgeReplica({ ...ok, Seconds_Behind_Master: null }, 5).usable).toBe(false);
    expect(judgeReplica(undefined, 5).reason).toMatch(/not a replica/);
  });

  it('tells connection failures from statement errors', () => {
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ER_NO_SUCH_TABLE', fatal: false }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'X', fatal: true }))).toBe(true);
    expect(isConnectionError('boom')).toBe(false);
  });
});

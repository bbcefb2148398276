/**
 * The TCC fence (Seata's TCCFenceHandler) on the participant's own database, table
 * `tcc_fence_log` in Seata's layout (script/client/tcc/db/mysql.sql):
 *
 *   tcc_fence_log(xid VARCHAR(128), branch_id BIGINT, action_name VARCHAR(64),
 *                 status TINYINT  -- 1 tried, 2 committed, 3 rollbacked, 4 suspended
 *                 gmt_create DATETIME(3), gmt_modified DATETIME(3), PRIMARY KEY(xid, branch_id))
 *
 * Each phase runs in one local transaction with its fence row, so:
 * - confirm/cancel are idempotent (a second delivery finds committed/rollbacked and does nothing);
 * - a cancel that arrives before any try (empty rollback) does nothing but write `suspended`;
 * - a try that arrives after such a cancel (suspension) finds the row and is refused.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { TxNotActiveError } from '../errors.js';
import { withLocalTransaction } from '../local-transaction.js';

export const FenceStatus = { TRIED: 1, COMMITTED: 2, ROLLBACKED: 3, SUSPENDED: 4 } as const;

export function tccFenceDdl(table = 'tcc_fence_log'): string {
  return `CREATE TABLE IF NOT EXISTS \`${table}\` (
    xid VARCHAR(128) NOT NULL,
    branch_id BIGINT NOT NULL,
    action_name VARCHAR(64) NOT NULL,
    status TINYINT NOT NULL,
    gmt_create DATETIME(3) NOT NULL,
    gmt_modified DATETIME(3) NOT NULL,
    PRIMARY KEY (xid, branch_id),
    KEY idx_gmt_modified (gmt_modified),
    KEY idx_status (status)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export type FenceOutcome = 'ran' | 'already-done' | 'empty-rollback' | 'refused';

export class TccFence {
  constructor(
    private readonly pool: Pool,
    private readonly table = 'tcc_fence_log',
  ) {}

  private local<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    return withLocalTransaction(this.pool, fn);
  }

  /** Phase one: the fence row `tried` and the business try, together — or neither. */
  async tryPhase(xid: string, branchId: string, action: string, body: (c: PoolConnection) => Promise<void>): Promise<void> {
    await this.local(async (c) => {
      try {
        await c.query(`INSERT INTO \`${this.table}\` VALUES (?, ?, ?, ?, NOW(3), NOW(3))`, [xid, branchId, action, FenceStatus.TRIED]);
      } catch (err) {
        if ((err as { code?: string }).code === 'ER_DUP_ENTRY') throw new TxNotActiveError(xid, 'already rolled back for this branch (suspended try)');
        throw err;
      }
      await body(c);
    });
  }

  async commitPhase(xid: string, branchId: string, body: (c: PoolConnection) => Promise<void>): Promise<FenceOutcome> {
    return this.local(async (c) => {
      const status = await this.lockRow(c, xid, branchId);
      if (status === FenceStatus.COMMITTED) return 'already-done';
      if (status !== FenceStatus.TRIED) return 'refused'; // no try, or already rolled back
      await body(c);
      await this.setStatus(c, xid, branchId, FenceStatus.COMMITTED);
      return 'ran';
    });
  }

  async rollbackPhase(xid: string, branchId: string, action: string, body: (c: PoolConnection) => Promise<void>): Promise<FenceOutcome> {
    return this.local(async (c) => {
      const status = await this.lockRow(c, xid, branchId);
      if (status === undefined) {
        await c.query(`INSERT INTO \`${this.table}\` VALUES (?, ?, ?, ?, NOW(3), NOW(3))`, [xid, branchId, action, FenceStatus.SUSPENDED]);
        return 'empty-rollback';
      }
      if (status === FenceStatus.ROLLBACKED || status === FenceStatus.SUSPENDED) return 'already-done';
      if (status === FenceStatus.COMMITTED) return 'refused';
      await body(c);
      await this.setStatus(c, xid, branchId, FenceStatus.ROLLBACKED);
      return 'ran';
    });
  }

  private async lockRow(c: PoolConnection, xid: string, branchId: string): Promise<number | undefined> {
    const [rows] = await c.query<RowDataPacket[]>(`SELECT status FROM \`${this.table}\` WHERE xid = ? AND branch_id = ? FOR UPDATE`, [xid, branchId]);
    return rows[0] ? Number(rows[0].status) : undefined;
  }

  private async setStatus(c: PoolConnection, xid: string, branchId: string, status: number): Promise<void> {
    await c.query(`UPDATE \`${this.table}\` SET status = ?, gmt_modified = NOW(3) WHERE xid = ? AND branch_id = ?`, [status, xid, branchId]);
  }
}

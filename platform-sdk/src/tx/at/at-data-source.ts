/**
 * AT mode over a mysql2 pool (Seata's DataSourceProxy + ConnectionProxy + DataSourceManager).
 * One AtDataSource is one resource: its `resourceId` names the physical database in lock keys
 * and in the TC's routing of phase two, so a sharding router wraps each physical data source
 * in its own AtDataSource (resourceId = that data source's identity) and calls
 * `transaction()` on the one a statement routes to.
 *
 * Inside a global transaction (an XID in the context), `transaction(fn)` runs `fn` in a local
 * transaction whose statements collect undo logs; before the local commit it registers a
 * branch with its lock keys at the TC (taking the global row locks) and writes the undo_log
 * row in the same local transaction. On a lock conflict the local transaction is rolled back
 * and `fn` retried after `lockRetryIntervalMs` (Seata's lock retry), so `fn` must only touch
 * the database. Outside a global transaction it is a plain local transaction.
 */
import type { FieldPacket, Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { currentXid, isSilkError } from '../../core/index.js';
import { TX_ERROR_CODES, TxRolledBackError } from '../errors.js';
import { GroupCommit } from '../group-commit.js';
import { withLocalTransaction } from '../local-transaction.js';
import { BranchStatus, BranchType } from '../model.js';
import type { BranchPhaseTwo } from '../protocol.js';
import type { ResourceManager, TcClient } from '../tc-client.js';
import { AtConnection, BranchContext, type BranchEnv } from './at-connection.js';
import { q } from './images.js';
import { TableMetaCache } from './table-meta.js';
import { undoBranch } from './undo-executor.js';
import { encodeUndoLog, LOG_STATUS_NORMAL, UNDO_LOG_CONTEXT, undoLogDdl } from './undo-log.js';

export interface AtDataSourceOptions {
  pool: Pool;
  /** The data source's identity, e.g. `mysql://127.0.0.1:3306/silk_storage`. */
  resourceId: string;
  tc: TcClient;
  undoTable?: string;
  lockRetryIntervalMs?: number;
  lockRetryTimes?: number;
  log?: (level: 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** The statement API `fn` gets: AtConnection in a branch, the raw connection outside one. */
export interface BranchConnection {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<[T, FieldPacket[]]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AtDataSource {
  readonly resourceId: string;
  readonly undoTable: string;
  private readonly meta: TableMetaCache;
  private readonly env: BranchEnv;

  constructor(private readonly opts: AtDataSourceOptions) {
    this.resourceId = opts.resourceId;
    this.undoTable = opts.undoTable ?? 'undo_log';
    this.meta = new TableMetaCache(opts.resourceId);
    this.env = {
      resourceId: opts.resourceId,
      meta: this.meta,
      lockable: async (xid, lockKey) => (await opts.tc.request('GlobalLockQuery', { xid, resourceId: this.resourceId, lockKey })).lockable,
    };
  }

  /** Creates the undo_log table when missing (Seata ships it as a script instead). */
  async ensureUndoTable(): Promise<void> {
    await this.opts.pool.query(undoLogDdl(this.undoTable));
  }

  async transaction<T>(fn: (conn: BranchConnection) => Promise<T>): Promise<T> {
    const xid = currentXid();
    if (xid === undefined) return this.local(fn);
    const times = this.opts.lockRetryTimes ?? 30;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.branch(xid, fn);
      } catch (err) {
        if (!isSilkError(err) || err.code !== TX_ERROR_CODES.SILK_TX_LOCK_CONFLICT || attempt >= times) throw err;
        await sleep((this.opts.lockRetryIntervalMs ?? 10) * (1 + Math.random()));
      }
    }
  }

  /** One statement as its own branch (autocommit inside a global transaction). */
  async query<T = unknown>(sql: string, params: unknown[] = []): Promise<[T, FieldPacket[]]> {
    return this.transaction((c) => c.query<T>(sql, params));
  }

  private local<T>(fn: (conn: BranchConnection) => Promise<T>): Promise<T> {
    return withLocalTransaction(this.opts.pool, (conn) => fn({ query: (sql, params) => conn.query(sql, params ?? []) as never }));
  }

  private async branch<T>(xid: string, fn: (conn: BranchConnection) => Promise<T>): Promise<T> {
    const conn = await this.opts.pool.getConnection();
    const ctx = new BranchContext();
    let branchId: string | undefined;
    try {
      await conn.beginTransaction();
      const out = await fn(new AtConnection(conn, xid, this.env, ctx));
      if (ctx.undo.length === 0) {
        await conn.commit();
        return out;
      }
      ({ branchId } = await this.opts.tc.request('BranchRegister', {
        xid,
        branchType: BranchType.AT,
        resourceId: this.resourceId,
        lockKey: ctx.lockKey(),
        clientId: this.opts.tc.clientId,
      }));
      await this.writeUndo(conn, xid, branchId, ctx);
      await conn.commit();
      return out;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      if (branchId !== undefined) await this.reportFailed(xid, branchId);
      throw err;
    } finally {
      conn.release();
    }
  }

  private async writeUndo(conn: PoolConnection, xid: string, branchId: string, ctx: BranchContext): Promise<void> {
    try {
      await conn.query(
        `INSERT INTO ${q(this.undoTable)} (branch_id, xid, context, rollback_info, log_status, log_created, log_modified)
          VALUES (?, ?, ?, ?, ?, NOW(6), NOW(6))`,
        [branchId, xid, UNDO_LOG_CONTEXT, encodeUndoLog({ xid, branchId, sqlUndoLogs: ctx.undo }), LOG_STATUS_NORMAL],
      );
    } catch (err) {
      // A defense row is there: the global transaction was rolled back while we worked.
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') throw new TxRolledBackError(xid, 'rolled back during phase one', err);
      throw err;
    }
  }

  private async reportFailed(xid: string, branchId: string): Promise<void> {
    await this.opts.tc.request('BranchReport', { xid, branchId, status: BranchStatus.PhaseOne_Failed }).catch(() => undefined);
  }

  /**
   * Deletes undo rows created before `before`, `batch` at a time (Seata's undo-log delete task,
   * `client.rm.undo.logSaveDays`). What lingers is mostly defense rows (log_status 1), written
   * by a rollback that came before its branch's phase one and never deleted by phase two; a
   * normal row that old belongs to a transaction the coordinator has long given up on.
   * Returns how many rows went.
   */
  async purgeUndoLogs(before: Date, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const [res] = await this.opts.pool.query<ResultSetHeader>(`DELETE FROM ${q(this.undoTable)} WHERE log_created < ? LIMIT ?`, [before, batch]);
      total += res.affectedRows;
      if (res.affectedRows < batch) return total;
    }
  }

  /**
   * Undo rows of committed branches, deleted in groups. Each row is named by its whole unique
   * key, `(xid = ? AND branch_id = ?) OR ...`, so MySQL looks each up on that key and locks
   * only that row: `xid IN (..) AND branch_id IN (..)` scanned the table under REPEATABLE READ
   * and its gap locks held back every branch inserting its undo row meanwhile.
   */
  private readonly undoDeletes = new GroupCommit<BranchPhaseTwo>(
    async (branches) => {
      await this.opts.pool.query(
        `DELETE FROM ${q(this.undoTable)} WHERE ${branches.map(() => '(xid = ? AND branch_id = ?)').join(' OR ')}`,
        branches.flatMap((b) => [b.xid, b.branchId]),
      );
    },
    // Only the TC waits for these (the global commit is decided), so they may wait for company.
    { maxGroup: 200, lingerMs: 20 },
  );

  async branchCommit(req: BranchPhaseTwo): Promise<BranchStatus> {
    try {
      await this.undoDeletes.add(req);
      return BranchStatus.PhaseTwo_Committed;
    } catch (err) {
      this.opts.log?.('warn', 'undo_log delete failed; the coordinator will retry', { xid: req.xid, err: String(err) });
      return BranchStatus.PhaseTwo_CommitFailed_Retryable;
    }
  }

  async branchRollback(req: BranchPhaseTwo): Promise<BranchStatus> {
    let conn: PoolConnection | undefined;
    try {
      conn = await this.opts.pool.getConnection();
      await conn.beginTransaction();
      const outcome = await undoBranch(conn, this.meta, this.undoTable, req.xid, req.branchId);
      if (typeof outcome === 'object') {
        await conn.rollback();
        // The alert: a human must look at this row; retrying cannot fix it.
        this.opts.log?.('error', `ALERT ${outcome.dirty.message}`, outcome.dirty.details);
        if (!this.opts.log) console.error(`[silk tx] ALERT ${outcome.dirty.message}`);
        return BranchStatus.PhaseTwo_RollbackFailed_Unretryable;
      }
      await conn.commit();
      return BranchStatus.PhaseTwo_Rollbacked;
    } catch (err) {
      await conn?.rollback().catch(() => undefined);
      this.opts.log?.('warn', 'branch rollback failed; the coordinator will retry', { xid: req.xid, err: String(err) });
      return BranchStatus.PhaseTwo_RollbackFailed_Retryable;
    } finally {
      conn?.release();
    }
  }
}

/** Routes AT phase two to the data source of the branch's resourceId. */
export class AtResourceManager implements ResourceManager {
  readonly branchType = BranchType.AT;
  private readonly sources = new Map<string, AtDataSource>();

  constructor(private readonly tc: TcClient) {}

  add(ds: AtDataSource): void {
    this.sources.set(ds.resourceId, ds);
    this.tc.refreshResources();
  }

  resourceIds(): string[] {
    return [...this.sources.keys()];
  }

  /** Purges every data source's undo rows older than `saveDays`; a failing one is logged and skipped. */
  async purgeUndoLogs(saveDays: number, now = Date.now(), onError: (resourceId: string, err: unknown) => void = () => undefined): Promise<number> {
    const before = new Date(now - saveDays * 86_400_000);
    let total = 0;
    for (const ds of this.sources.values()) total += await ds.purgeUndoLogs(before).catch((err: unknown) => (onError(ds.resourceId, err), 0));
    return total;
  }

  branchCommit(req: BranchPhaseTwo): Promise<BranchStatus> {
    const ds = this.sources.get(req.resourceId);
    return ds ? ds.branchCommit(req) : Promise.resolve(BranchStatus.PhaseTwo_CommitFailed_Retryable);
  }

  branchRollback(req: BranchPhaseTwo): Promise<BranchStatus> {
    const ds = this.sources.get(req.resourceId);
    return ds ? ds.branchRollback(req) : Promise.resolve(BranchStatus.PhaseTwo_RollbackFailed_Retryable);
  }
}

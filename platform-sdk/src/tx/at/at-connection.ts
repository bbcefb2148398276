/**
 * A connection inside an AT branch. Each INSERT/UPDATE/DELETE runs between a before image
 * and an after image read on the same local transaction; the images become the branch's
 * undo log and the touched primary keys its lock keys (Seata's UpdateExecutor,
 * DeleteExecutor, InsertExecutor, SelectForUpdateExecutor). Plain SELECTs pass through.
 */
import type { FieldPacket, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { TxLockConflictError, TxUnsupportedSqlError } from '../errors.js';
import { buildLockKey } from '../model.js';
import { keysOf, selectByKeys, selectRows } from './images.js';
import { recognize, type Recognized } from './sql-recognizer.js';
import type { TableMeta, TableMetaCache } from './table-meta.js';
import type { SQLUndoLog, TableRecords } from './undo-log.js';

/** What the data source lends a branch connection. */
export interface BranchEnv {
  resourceId: string;
  meta: TableMetaCache;
  /** GlobalLockQuery: may these keys be locked by `xid`? */
  lockable(xid: string, lockKey: string): Promise<boolean>;
}

/** The undo logs and locks one branch collected before its local commit. */
export class BranchContext {
  readonly undo: SQLUndoLog[] = [];
  private readonly locks = new Map<string, Set<string>>();

  addLocks(table: string, keys: string[][]): void {
    let set = this.locks.get(table);
    if (!set) this.locks.set(table, (set = new Set()));
    for (const k of keys) set.add(k.join('_'));
  }

  /** `t1:1,2;t2:5` — several tables separated by `;` as Seata sends them. */
  lockKey(): string {
    return [...this.locks].map(([t, pks]) => buildLockKey(t, [...pks].map((p) => [p]))).join(';');
  }
}

export class AtConnection {
  constructor(
    /** The underlying mysql2 connection (inside the branch's local transaction). */
    readonly raw: PoolConnection,
    readonly xid: string,
    private readonly env: BranchEnv,
    private readonly ctx: BranchContext,
  ) {}

  /** Runs one statement with AT protection; same return shape as mysql2's `query`. */
  async query<T = unknown>(sql: string, params: unknown[] = []): Promise<[T, FieldPacket[]]> {
    const r = recognize(sql, params);
    if (r.kind === 'plain') return (await this.raw.query(sql, params)) as [T, FieldPacket[]];
    const meta = await this.env.meta.get(this.raw, r.table);
    switch (r.kind) {
      case 'select-for-update':
        return this.selectForUpdate<T>(sql, params, r, meta);
      case 'update':
      case 'delete':
        return this.updateOrDelete<T>(sql, params, r, meta);
      case 'insert':
        return this.insert<T>(sql, params, r, meta);
    }
  }

  private async selectForUpdate<T>(sql: string, params: unknown[], r: Extract<Recognized, { kind: 'select-for-update' }>, meta: TableMeta) {
    const out = (await this.raw.query(sql, params)) as [T, FieldPacket[]];
    const locked = await selectRows(this.raw, meta, r.where, r.whereParams, true);
    const keys = keysOf(meta, locked);
    if (keys.length > 0) {
      const lockKey = buildLockKey(meta.table, keys);
      if (!(await this.env.lockable(this.xid, lockKey))) throw new TxLockConflictError(this.xid, lockKey, 'another global transaction');
    }
    return out;
  }

  private async updateOrDelete<T>(sql: string, params: unknown[], r: Extract<Recognized, { kind: 'update' | 'delete' }>, meta: TableMeta) {
    if (r.setColumns.some((c) => meta.primaryKeys.includes(c)))
      throw new TxUnsupportedSqlError(sql, 'updating a primary key column is not supported');
    const before = await selectRows(this.raw, meta, r.where, r.whereParams, true);
    const out = (await this.raw.query(sql, params)) as [T, FieldPacket[]];
    const keys = keysOf(meta, before);
    const after: TableRecords = r.kind === 'update' ? await selectByKeys(this.raw, meta, keys, false) : { tableName: meta.table, rows: [] };
    this.record(r.kind === 'update' ? 'UPDATE' : 'DELETE', meta, before, after, keys);
    return out;
  }

  private async insert<T>(sql: string, params: unknown[], r: Extract<Recognized, { kind: 'insert' }>, meta: TableMeta) {
    const columns = r.columns ?? meta.columns;
    const pkIndex = meta.primaryKeys.map((k) => columns.indexOf(k));
    const explicit = r.rows.every((row) => pkIndex.every((i) => i >= 0 && row[i]?.kind === 'value' && (row[i] as { value: unknown }).value !== null));
    const auto = meta.primaryKeys.length === 1 && meta.autoIncrement === meta.primaryKeys[0] && pkIndex[0] === -1;
    if (!explicit && !auto)
      throw new TxUnsupportedSqlError(sql, 'the new rows\' primary keys must be given as values or come from AUTO_INCREMENT');
    const out = (await this.raw.query(sql, params)) as [T, FieldPacket[]];
    let keys: unknown[][];
    if (explicit) keys = r.rows.map((row) => pkIndex.map((i) => (row[i] as { value: unknown }).value));
    else {
      const res = out[0] as unknown as ResultSetHeader;
      keys = Array.from({ length: res.affectedRows }, (_, i) => [res.insertId + i]);
    }
    const after = await selectByKeys(this.raw, meta, keys, false);
    this.record('INSERT', meta, { tableName: meta.table, rows: [] }, after, keysOf(meta, after));
    return out;
  }

  private record(sqlType: SQLUndoLog['sqlType'], meta: TableMeta, beforeImage: TableRecords, afterImage: TableRecords, keys: string[][]): void {
    if (keys.length === 0) return; // touched no row: nothing to undo or lock
    this.ctx.undo.push({ sqlType, tableName: meta.table, beforeImage, afterImage });
    this.ctx.addLocks(meta.table, keys);
  }
}

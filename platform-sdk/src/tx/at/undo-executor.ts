/**
 * Phase-two rollback of one AT branch (Seata's AbstractUndoExecutor + UndoLogManager.undo):
 * in one local transaction, lock the undo_log row, then for each statement in reverse order
 * check that the rows still equal the after image — if they do, restore the before image; if
 * they already equal the before image, there is nothing to do; anything else is a dirty
 * write by someone outside the global transaction, and the rollback stops without touching
 * the row. No undo row at all means phase one never committed: a defense row is written so
 * it never will.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { TxDirtyWriteError } from '../errors.js';
import { q, selectByKeys, pkWhere, keysOf } from './images.js';
import type { TableMeta, TableMetaCache } from './table-meta.js';
import {
  decodeUndoLog,
  encodeUndoLog,
  LOG_STATUS_GLOBAL_FINISHED,
  sameRow,
  UNDO_LOG_CONTEXT,
  type Row,
  type SQLUndoLog,
  type TableRecords,
} from './undo-log.js';

function sameRecords(a: TableRecords, b: TableRecords, meta: TableMeta): boolean {
  if (a.rows.length !== b.rows.length) return false;
  const key = (r: Row) => meta.primaryKeys.map((k) => r.fields.find((f) => f.name === k)?.value).join('_');
  const byKey = new Map(b.rows.map((r) => [key(r), r]));
  return a.rows.every((r) => {
    const other = byKey.get(key(r));
    return other !== undefined && sameRow(r, other);
  });
}

async function restore(conn: PoolConnection, meta: TableMeta, u: SQLUndoLog): Promise<void> {
  switch (u.sqlType) {
    case 'INSERT': {
      const { where, params } = pkWhere(meta, keysOf(meta, u.afterImage));
      await conn.query(`DELETE FROM ${q(meta.table)} WHERE ${where}`, params);
      return;
    }
    case 'UPDATE':
      for (const row of u.beforeImage.rows) {
        const set = row.fields.filter((f) => f.keyType !== 'PRIMARY_KEY');
        const { where, params } = pkWhere(meta, keysOf(meta, { tableName: meta.table, rows: [row] }));
        await conn.query(`UPDATE ${q(meta.table)} SET ${set.map((f) => `${q(f.name)} = ?`).join(', ')} WHERE ${where}`, [
          ...set.map((f) => f.value),
          ...params,
        ]);
      }
      return;
    case 'DELETE':
      for (const row of u.beforeImage.rows)
        await conn.query(
          `INSERT INTO ${q(meta.table)} (${row.fields.map((f) => q(f.name)).join(', ')}) VALUES (${row.fields.map(() => '?').join(', ')})`,
          row.fields.map((f) => f.value),
        );
      return;
  }
}

export type UndoOutcome = 'undone' | 'nothing-to-undo' | { dirty: TxDirtyWriteError };

export async function undoBranch(
  conn: PoolConnection,
  metaCache: TableMetaCache,
  undoTable: string,
  xid: string,
  branchId: string,
): Promise<UndoOutcome> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT rollback_info, log_status FROM ${q(undoTable)} WHERE xid = ? AND branch_id = ? FOR UPDATE`,
    [xid, branchId],
  );
  const undoRow = rows[0];
  if (!undoRow) {
    await conn.query(
      `INSERT INTO ${q(undoTable)} (branch_id, xid, context, rollback_info, log_status, log_created, log_modified)
        VALUES (?, ?, ?, ?, ?, NOW(6), NOW(6))`,
      [branchId, xid, UNDO_LOG_CONTEXT, encodeUndoLog({ xid, branchId, sqlUndoLogs: [] }), LOG_STATUS_GLOBAL_FINISHED],
    );
    return 'nothing-to-undo';
  }
  if (Number(undoRow.log_status) === LOG_STATUS_GLOBAL_FINISHED) return 'nothing-to-undo';
  const log = decodeUndoLog(undoRow.rollback_info as Buffer);
  for (const u of [...log.sqlUndoLogs].reverse()) {
    const meta = await metaCache.get(conn, u.tableName);
    const image = u.sqlType === 'DELETE' ? u.beforeImage : u.afterImage;
    const current = await selectByKeys(conn, meta, keysOf(meta, image), true);
    if (sameRecords(current, u.afterImage, meta)) await restore(conn, meta, u);
    else if (!sameRecords(current, u.beforeImage, meta)) {
      const pk = keysOf(meta, image).map((k) => k.join('_')).join(',');
      return { dirty: new TxDirtyWriteError(xid, branchId, u.tableName, pk) };
    }
  }
  await conn.query(`DELETE FROM ${q(undoTable)} WHERE xid = ? AND branch_id = ?`, [xid, branchId]);
  return 'undone';
}

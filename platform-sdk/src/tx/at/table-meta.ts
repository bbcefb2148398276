/**
 * Table metadata AT mode needs: the columns in order and the primary key. Read once per
 * table from information_schema of the connection's current database and cached
 * (Seata's TableMetaCache).
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { TxNoPrimaryKeyError } from '../errors.js';

export interface TableMeta {
  table: string;
  columns: string[];
  primaryKeys: string[];
  autoIncrement: string | undefined;
}

export class TableMetaCache {
  private readonly cache = new Map<string, Promise<TableMeta>>();

  constructor(private readonly resourceId: string) {}

  get(conn: PoolConnection, table: string): Promise<TableMeta> {
    let m = this.cache.get(table);
    if (!m) {
      m = this.load(conn, table);
      this.cache.set(table, m);
      m.catch(() => this.cache.delete(table));
    }
    return m;
  }

  private async load(conn: PoolConnection, table: string): Promise<TableMeta> {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name, COLUMN_KEY AS colKey, EXTRA AS extra FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [table],
    );
    const columns = rows.map((r) => String(r.name));
    const primaryKeys = rows.filter((r) => r.colKey === 'PRI').map((r) => String(r.name));
    if (primaryKeys.length === 0) throw new TxNoPrimaryKeyError(this.resourceId, table);
    const auto = rows.find((r) => String(r.extra).includes('auto_increment'));
    return { table, columns, primaryKeys, autoIncrement: auto ? String(auto.name) : undefined };
  }
}

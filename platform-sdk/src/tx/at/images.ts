/**
 * Before and after images: the rows a statement touches, read on the branch's own connection
 * (inside its local transaction, locked FOR UPDATE) with every value in MySQL's text form.
 */
import type { FieldPacket, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { TableMeta } from './table-meta.js';
import { javaSqlType, type Row, type TableRecords } from './undo-log.js';

export const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

// Text form of every column: stable to compare, and MySQL parses it back on restore.
const asText = (field: { string(): string | null }) => field.string();

export async function selectRows(
  conn: PoolConnection,
  meta: TableMeta,
  where: string,
  params: unknown[],
  forUpdate: boolean,
): Promise<TableRecords> {
  const sql = `SELECT * FROM ${q(meta.table)} WHERE ${where}${forUpdate ? ' FOR UPDATE' : ''}`;
  const [rows, fields]: [RowDataPacket[], FieldPacket[]] = await conn.query<RowDataPacket[]>({ sql, values: params, typeCast: asText as never });
  const types = new Map(fields.map((f) => [f.name, javaSqlType(f.columnType)]));
  const pks = new Set(meta.primaryKeys);
  return {
    tableName: meta.table,
    rows: rows.map(
      (r): Row => ({
        fields: Object.keys(r).map((name) => ({
          name,
          keyType: pks.has(name) ? 'PRIMARY_KEY' : 'NULL',
          type: types.get(name) ?? 1111,
          value: (r[name] as string | null) ?? null,
        })),
      }),
    ),
  };
}

/** `pk IN (?, ?)` or `(a, b) IN ((?, ?), (?, ?))` for the given key tuples. */
export function pkWhere(meta: TableMeta, keys: readonly (readonly unknown[])[]): { where: string; params: unknown[] } {
  const pk = meta.primaryKeys;
  if (pk.length === 1) return { where: `${q(pk[0]!)} IN (${keys.map(() => '?').join(', ')})`, params: keys.map((k) => k[0]) };
  const tuple = `(${pk.map(() => '?').join(', ')})`;
  return {
    where: `(${pk.map(q).join(', ')}) IN (${keys.map(() => tuple).join(', ')})`,
    params: keys.flat(),
  };
}

export function selectByKeys(conn: PoolConnection, meta: TableMeta, keys: readonly (readonly unknown[])[], forUpdate: boolean): Promise<TableRecords> {
  if (keys.length === 0) return Promise.resolve({ tableName: meta.table, rows: [] });
  const { where, params } = pkWhere(meta, keys);
  return selectRows(conn, meta, where, params, forUpdate);
}

export function keysOf(meta: TableMeta, records: TableRecords): string[][] {
  return records.rows.map((r) => meta.primaryKeys.map((k) => r.fields.find((f) => f.name === k)?.value ?? ''));
}

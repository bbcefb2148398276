/**
 * The undo log, in Seata's `undo_log` table layout (script/client/at/db/mysql.sql) and
 * BranchUndoLog model, so an operator reads it the way they read Seata's:
 *
 *   undo_log(branch_id BIGINT, xid VARCHAR(128), context VARCHAR(128), rollback_info LONGBLOB,
 *            log_status INT, log_created DATETIME(6), log_modified DATETIME(6),
 *            UNIQUE ux_undo_log(xid, branch_id))
 *
 * `context` is `serializer=silk-json&compressorType=NONE`. `rollback_info` is UTF-8 JSON:
 *
 *   {"xid":"127.0.0.1:8091:42","branchId":"43","sqlUndoLogs":[
 *     {"sqlType":"UPDATE","tableName":"account",
 *      "beforeImage":{"tableName":"account","rows":[{"fields":[
 *         {"name":"id","keyType":"PRIMARY_KEY","type":4,"value":"1"},
 *         {"name":"money","keyType":"NULL","type":3,"value":"100.00"}]}]},
 *      "afterImage":{...same shape...}}]}
 *
 * Field values are MySQL's own text form of the value (or null), so comparing images is
 * comparing strings and restoring is binding them back as parameters; `type` is the
 * java.sql.Types code of the column. Binary columns are not supported. Java Seata's Jackson
 * undo parser does not read this JSON (it expects its own typed form).
 * `log_status` 1 is Seata's defense row: written by a rollback that found no undo, it makes
 * a late phase-one commit of the same branch fail on the unique key.
 */
export const UNDO_LOG_CONTEXT = 'serializer=silk-json&compressorType=NONE';
export const LOG_STATUS_NORMAL = 0;
export const LOG_STATUS_GLOBAL_FINISHED = 1;

export type SqlType = 'INSERT' | 'UPDATE' | 'DELETE';

export interface Field {
  name: string;
  keyType: 'PRIMARY_KEY' | 'NULL';
  type: number;
  value: string | null;
}

export interface Row {
  fields: Field[];
}

export interface TableRecords {
  tableName: string;
  rows: Row[];
}

export interface SQLUndoLog {
  sqlType: SqlType;
  tableName: string;
  beforeImage: TableRecords;
  afterImage: TableRecords;
}

export interface BranchUndoLog {
  xid: string;
  branchId: string;
  sqlUndoLogs: SQLUndoLog[];
}

export function undoLogDdl(table = 'undo_log'): string {
  return `CREATE TABLE IF NOT EXISTS \`${table}\` (
    branch_id BIGINT NOT NULL,
    xid VARCHAR(128) NOT NULL,
    context VARCHAR(128) NOT NULL,
    rollback_info LONGBLOB NOT NULL,
    log_status INT NOT NULL,
    log_created DATETIME(6) NOT NULL,
    log_modified DATETIME(6) NOT NULL,
    UNIQUE KEY ux_undo_log (xid, branch_id),
    KEY ix_log_created (log_created)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export function encodeUndoLog(log: BranchUndoLog): Buffer {
  return Buffer.from(JSON.stringify(log), 'utf8');
}

export function decodeUndoLog(raw: Buffer | string): BranchUndoLog {
  const parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as BranchUndoLog;
  if (!Array.isArray(parsed.sqlUndoLogs)) throw new Error('rollback_info has no sqlUndoLogs');
  return parsed;
}

/** MySQL column type codes (mysql2 `columnType`) to java.sql.Types, for the `type` field. */
const JAVA_SQL_TYPES: Record<number, number> = {
  0: 3, 246: 3, // DECIMAL
  1: -6, // TINYINT
  2: 5, // SMALLINT
  3: 4, 9: 4, // INTEGER, MEDIUMINT
  4: 7, // REAL
  5: 8, // DOUBLE
  7: 93, 12: 93, // TIMESTAMP, DATETIME
  8: -5, // BIGINT
  10: 91, 13: 91, // DATE, YEAR
  11: 92, // TIME
  15: 12, 253: 12, 245: 12, // VARCHAR, JSON
  16: -7, // BIT
  252: -1, // TEXT/BLOB
  254: 1, 247: 1, // CHAR, ENUM
};

export function javaSqlType(mysqlColumnType: number | undefined): number {
  return mysqlColumnType === undefined ? 1111 : (JAVA_SQL_TYPES[mysqlColumnType] ?? 1111); // 1111 = OTHER
}

export function pkValues(row: Row): string[] {
  return row.fields.filter((f) => f.keyType === 'PRIMARY_KEY').map((f) => f.value ?? '');
}

export function sameRow(a: Row, b: Row): boolean {
  if (a.fields.length !== b.fields.length) return false;
  const byName = new Map(b.fields.map((f) => [f.name, f.value]));
  return a.fields.every((f) => byName.has(f.name) && byName.get(f.name) === f.value);
}

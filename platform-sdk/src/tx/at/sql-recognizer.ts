/**
 * Which statements AT mode can protect, and what it needs to know about each: the table, the
 * WHERE clause with its own parameters (to read the before image), and for INSERT the rows'
 * column values (to find the new primary keys). Parsing is node-sql-parser's (MySQL
 * dialect); everything outside the narrow supported set is refused, never run unprotected —
 * Seata's SQLRecognizer family, reduced to single-table statements.
 */
import NodeSqlParser from 'node-sql-parser';
import { TxUnsupportedSqlError } from '../errors.js';

const parser = new NodeSqlParser.Parser();
const DIALECT = { database: 'MySQL' } as const;

/** A literal or a parameter value from an INSERT row. */
export type InsertValue = { kind: 'value'; value: unknown } | { kind: 'expr' };

export type Recognized =
  | { kind: 'plain' }
  | { kind: 'select-for-update'; table: string; where: string; whereParams: unknown[] }
  | { kind: 'update' | 'delete'; table: string; where: string; whereParams: unknown[]; setColumns: string[] }
  | { kind: 'insert'; table: string; columns: string[] | undefined; rows: InsertValue[][] };

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null;
}

/** Counts `?` placeholders under a node, and spots subqueries. */
function scan(node: unknown, acc = { params: 0, subquery: false }): { params: number; subquery: boolean } {
  if (Array.isArray(node)) for (const n of node) scan(n, acc);
  else if (isNode(node)) {
    if (node.type === 'origin' && node.value === '?') acc.params++;
    if (node.type === 'select' || 'ast' in node) acc.subquery = true;
    for (const v of Object.values(node)) if (isNode(v)) scan(v, acc);
  }
  return acc;
}

function singleTable(sql: string, tables: unknown): string {
  if (!Array.isArray(tables) || tables.length !== 1) throw new TxUnsupportedSqlError(sql, 'only single-table statements are supported');
  const t = tables[0] as Node;
  if (t.join || typeof t.table !== 'string') throw new TxUnsupportedSqlError(sql, 'joins are not supported');
  return t.table;
}

function literal(sql: string, node: Node, params: unknown[], cursor: { i: number }): InsertValue {
  if (node.type === 'origin' && node.value === '?') return { kind: 'value', value: params[cursor.i++] };
  if (node.type === 'number' || node.type === 'single_quote_string' || node.type === 'string' || node.type === 'double_quote_string')
    return { kind: 'value', value: node.value };
  if (node.type === 'null') return { kind: 'value', value: null };
  const inner = scan(node);
  if (inner.subquery) throw new TxUnsupportedSqlError(sql, 'subqueries in VALUES are not supported');
  cursor.i += inner.params;
  return { kind: 'expr' };
}

export function recognize(sql: string, params: readonly unknown[] = []): Recognized {
  let ast: unknown;
  try {
    ast = parser.astify(sql, DIALECT);
  } catch (err) {
    throw new TxUnsupportedSqlError(sql, `the SQL parser does not understand it: ${(err as Error).message.split('\n')[0]}`);
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw new TxUnsupportedSqlError(sql, 'several statements in one call');
    ast = ast[0];
  }
  const a = ast as Node;
  switch (a.type) {
    case 'select': {
      if (!a.locking_read) return { kind: 'plain' };
      const table = singleTable(sql, a.from);
      if (a.groupby || a.having) throw new TxUnsupportedSqlError(sql, 'GROUP BY / HAVING with FOR UPDATE is not supported');
      const before = scan(a.columns).params + scan(a.from).params;
      const whereScan = scan(a.where);
      if (whereScan.subquery) throw new TxUnsupportedSqlError(sql, 'subqueries are not supported');
      const where = a.where ? parser.exprToSQL(a.where, DIALECT) : '1 = 1';
      return { kind: 'select-for-update', table, where, whereParams: params.slice(before, before + whereScan.params) };
    }
    case 'update':
    case 'delete': {
      const table = singleTable(sql, a.type === 'delete' ? (a.from ?? a.table) : a.table);
      if (a.orderby || a.limit) throw new TxUnsupportedSqlError(sql, 'ORDER BY / LIMIT in UPDATE or DELETE is not supported');
      if (!a.where) throw new TxUnsupportedSqlError(sql, `${String(a.type).toUpperCase()} without WHERE would lock the whole table`);
      const set = (a.set as Node[] | undefined) ?? [];
      const setScan = scan(set);
      const whereScan = scan(a.where);
      if (setScan.subquery || whereScan.subquery) throw new TxUnsupportedSqlError(sql, 'subqueries are not supported');
      const where = parser.exprToSQL(a.where, DIALECT);
      const whereParams = params.slice(setScan.params, setScan.params + whereScan.params);
      return { kind: a.type, table, where, whereParams, setColumns: set.map((s) => String(s.column)) };
    }
    case 'insert': {
      const prefix = typeof a.prefix === 'string' ? a.prefix.toLowerCase() : 'into';
      if (prefix !== 'into') throw new TxUnsupportedSqlError(sql, `INSERT ${prefix.toUpperCase()} is not supported`);
      if (a.on_duplicate_update) throw new TxUnsupportedSqlError(sql, 'ON DUPLICATE KEY UPDATE is not supported');
      const values = a.values as Node | undefined;
      if (!values || values.type !== 'values') throw new TxUnsupportedSqlError(sql, 'only INSERT ... VALUES is supported');
      const cursor = { i: 0 };
      const rows = (values.values as Node[]).map((row) => (row.value as Node[]).map((v) => literal(sql, v, [...params], cursor)));
      const columns = Array.isArray(a.columns) ? (a.columns as unknown[]).map(String) : undefined;
      return { kind: 'insert', table: singleTable(sql, a.table), columns, rows };
    }
    default:
      if (a.type === 'replace') throw new TxUnsupportedSqlError(sql, 'REPLACE is not supported');
      throw new TxUnsupportedSqlError(sql, `${String(a.type).toUpperCase()} statements are not supported inside an AT branch`);
  }
}

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

/** A VALUES cell: a parameter (by index), a literal, or an expression AT cannot read. */
type CellTemplate = { param: number } | { value: unknown } | { expr: true };

/** What parsing learns from the SQL text alone; parameters are bound per call. */
type Template =
  | { kind: 'plain' }
  | { kind: 'select-for-update'; table: string; where: string; from: number; count: number }
  | { kind: 'update' | 'delete'; table: string; where: string; from: number; count: number; setColumns: string[] }
  | { kind: 'insert'; table: string; columns: string[] | undefined; rows: CellTemplate[][] };

function cell(sql: string, node: Node, cursor: { i: number }): CellTemplate {
  if (node.type === 'origin' && node.value === '?') return { param: cursor.i++ };
  if (node.type === 'number' || node.type === 'single_quote_string' || node.type === 'string' || node.type === 'double_quote_string')
    return { value: node.value };
  if (node.type === 'null') return { value: null };
  const inner = scan(node);
  if (inner.subquery) throw new TxUnsupportedSqlError(sql, 'subqueries in VALUES are not supported');
  cursor.i += inner.params;
  return { expr: true };
}

function analyze(sql: string): Template {
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
      const from = scan(a.columns).params + scan(a.from).params;
      const whereScan = scan(a.where);
      if (whereScan.subquery) throw new TxUnsupportedSqlError(sql, 'subqueries are not supported');
      const where = a.where ? parser.exprToSQL(a.where, DIALECT) : '1 = 1';
      return { kind: 'select-for-update', table, where, from, count: whereScan.params };
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
      return { kind: a.type, table, where, from: setScan.params, count: whereScan.params, setColumns: set.map((x) => String(x.column)) };
    }
    case 'insert': {
      const prefix = typeof a.prefix === 'string' ? a.prefix.toLowerCase() : 'into';
      if (prefix !== 'into') throw new TxUnsupportedSqlError(sql, `INSERT ${prefix.toUpperCase()} is not supported`);
      if (a.on_duplicate_update) throw new TxUnsupportedSqlError(sql, 'ON DUPLICATE KEY UPDATE is not supported');
      const values = a.values as Node | undefined;
      if (!values || values.type !== 'values') throw new TxUnsupportedSqlError(sql, 'only INSERT ... VALUES is supported');
      const cursor = { i: 0 };
      const rows = (values.values as Node[]).map((row) => (row.value as Node[]).map((v) => cell(sql, v, cursor)));
      const columns = Array.isArray(a.columns) ? (a.columns as unknown[]).map(String) : undefined;
      return { kind: 'insert', table: singleTable(sql, a.table), columns, rows };
    }
    default:
      if (a.type === 'replace') throw new TxUnsupportedSqlError(sql, 'REPLACE is not supported');
      throw new TxUnsupportedSqlError(sql, `${String(a.type).toUpperCase()} statements are not supported inside an AT branch`);
  }
}

// Parsing costs milliseconds; applications repeat the same statement texts, so the analysis
// is kept per text (refusals included) and only the parameters are bound per call.
const CACHE_MAX = 1000;
const cache = new Map<string, Template | TxUnsupportedSqlError>();

function template(sql: string): Template {
  let t = cache.get(sql);
  if (t === undefined) {
    try {
      t = analyze(sql);
    } catch (err) {
      if (!(err instanceof TxUnsupportedSqlError)) throw err;
      t = err;
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(sql, t);
  }
  if (t instanceof TxUnsupportedSqlError) throw t;
  return t;
}

export function recognize(sql: string, params: readonly unknown[] = []): Recognized {
  const t = template(sql);
  switch (t.kind) {
    case 'plain':
      return t;
    case 'select-for-update':
      return { kind: t.kind, table: t.table, where: t.where, whereParams: params.slice(t.from, t.from + t.count) };
    case 'update':
    case 'delete':
      return { kind: t.kind, table: t.table, where: t.where, whereParams: params.slice(t.from, t.from + t.count), setColumns: t.setColumns };
    case 'insert':
      return {
        kind: 'insert',
        table: t.table,
        columns: t.columns,
        rows: t.rows.map((row) =>
          row.map((c): InsertValue => ('param' in c ? { kind: 'value', value: params[c.param] } : 'value' in c ? { kind: 'value', value: c.value } : { kind: 'expr' })),
        ),
      };
  }
}

/**
 * Analysis of one SQL text against a sharding rule, done once and cached by the router: which
 * sharded table it addresses, what its WHERE says about the sharding columns, how its rows
 * merge when it fans out — or why it must be refused. Everything here is pure and keyed by
 * the text alone; parameter values only enter at routing time.
 */
import { UnsupportedShardingSqlError } from './errors.js';
import { buildSelectMerge, type SelectMerge } from './select-merge-plan.js';
import { ANY, extractCondition, valueRef, type Condition, type ValueRef } from './sharding-conditions.js';
import type { ShardingRule, TableRule } from './sharding-rule.js';
import { hasSubquery, parseStatements, tablesOf, type AstNode } from './sql-ast.js';
import { numberPlaceholders } from './sql-text.js';

export type StatementType = 'select' | 'insert' | 'replace' | 'update' | 'delete';

export interface InsertRow {
  /** The row's value for the database / table sharding column. */
  dbValue?: ValueRef;
  tableValue?: ValueRef;
}

export type StatementPlan =
  | { kind: 'passthrough'; broadcastWrite: boolean }
  | {
      kind: 'sharded';
      type: StatementType;
      sql: string;
      table: TableRule;
      /** Binding tables joined with it, routed to the data node at the same position. */
      bound: TableRule[];
      ast: AstNode;
      paramCount: number;
      condition: Condition;
      select?: SelectMerge;
      insertRows?: InsertRow[];
      /** Set when an UPDATE/DELETE cannot run on several shards at once. */
      fanOutProblem?: string;
      /** `SELECT ... FOR UPDATE` / `LOCK IN SHARE MODE`: a locking read goes to the primary. */
      lockingRead: boolean;
    };

export function planStatement(sql: string, rule: ShardingRule): StatementPlan {
  const numbered = numberPlaceholders(sql);
  const refuse = (reason: string): never => {
    throw new UnsupportedShardingSqlError(reason, sql);
  };
  let statements: AstNode[];
  let tables: { db: string | null; table: string }[];
  try {
    statements = parseStatements(numbered.text);
    tables = tablesOf(numbered.text);
  } catch (err) {
    // MySQL knows syntax the parser does not: such SQL may run, but only away from shards.
    if (mentionsShardedTable(sql, rule)) refuse(`the SQL parser cannot read it (${(err as Error).message.split('\n')[0]})`);
    return { kind: 'passthrough', broadcastWrite: false };
  }
  const sharded = unique(tables.filter((t) => rule.tables.has(t.table.toLowerCase())).map((t) => t.table.toLowerCase()));
  const ast = statements[0] as AstNode;
  const type = String(ast.type).toLowerCase();
  if (sharded.length === 0) {
    const broadcast = tables.length > 0 && tables.every((t) => rule.broadcastTables.has(t.table.toLowerCase()));
    return { kind: 'passthrough', broadcastWrite: broadcast && type !== 'select' };
  }
  if (statements.length > 1) refuse('several statements in one call touch sharded tables; send them one by one');
  if (tables.some((t) => t.db !== null && rule.tables.has(t.table.toLowerCase()))) {
    refuse('a sharded table is qualified with a database name; use the logic table name alone');
  }
  if (!['select', 'insert', 'replace', 'update', 'delete'].includes(type)) {
    refuse(`${type.toUpperCase()} on a sharded table is not routed; run DDL on each physical table`);
  }
  if (ast._next || ast.with) refuse('UNION / WITH over sharded tables is not routed');
  if (hasSubquery(ast)) refuse('a subquery or derived table over sharded tables is not routed');
  const table = rule.tables.get(sharded[0] as string) as TableRule;
  const group = rule.bindingGroups.find((g) => g.includes(sharded[0] as string)) ?? [];
  const bound = sharded.slice(1).map((name) => {
    if (!group.includes(name)) refuse(`joins sharded tables ${sharded.join(', ')} that are not bound (bindingTables)`);
    return rule.tables.get(name) as TableRule;
  });
  const single = tables.find((t) => !rule.tables.has(t.table.toLowerCase()) && !rule.broadcastTables.has(t.table.toLowerCase()));
  if (single) refuse(`joins sharded table ${table.logicTable} with "${single.table}", which is neither sharded, bound nor broadcast`);

  const owners = ownersOf(ast, [table, ...bound]);
  const owns = (q: string | null): boolean => q === null || owners.has(q.toLowerCase());
  const base = {
    kind: 'sharded' as const,
    type: type as StatementType,
    sql,
    table,
    bound,
    ast,
    paramCount: numbered.count,
    condition: extractCondition(ast.where, owns),
    lockingRead: Boolean(ast.locking_read),
  };
  switch (base.type) {
    case 'select':
      return { ...base, select: buildSelectMerge(ast, numbered.text, numbered.count) };
    case 'update': {
      const set = (ast.set ?? []) as { column: string }[];
      for (const col of shardingColumns(table)) {
        if (set.some((s) => s.column.toLowerCase() === col)) refuse(`UPDATE changes sharding column ${col}; delete and re-insert the row instead`);
      }
      if (((ast.table as unknown[]) ?? []).length > 1) refuse('multi-table UPDATE over sharded tables is not routed');
      return { ...base, ...writeFanOut(ast) };
    }
    case 'delete':
      if (((ast.from as unknown[]) ?? []).length > 1) refuse('multi-table DELETE over sharded tables is not routed');
      return { ...base, ...writeFanOut(ast) };
    case 'insert':
    case 'replace':
      return { ...base, condition: ANY, insertRows: insertRows(ast, table, refuse) };
  }
}

function insertRows(ast: AstNode, table: TableRule, refuse: (reason: string) => never): InsertRow[] {
  const values = ast.values as { type?: string; values?: { value: unknown[] }[] } | null;
  if (values?.type !== 'values' || !values.values) refuse('INSERT ... SELECT / SET into a sharded table is not routed; use VALUES');
  const columns = ((ast.columns ?? []) as string[]).map((c) => c.toLowerCase());
  if (columns.length === 0) refuse(`INSERT into sharded table ${table.logicTable} must name its columns`);
  const dup = (ast.on_duplicate_update as { set?: { column: string }[] } | null)?.set ?? [];
  for (const col of shardingColumns(table)) {
    if (!columns.includes(col)) refuse(`INSERT into ${table.logicTable} lacks sharding column ${col}`);
    if (dup.some((s) => s.column.toLowerCase() === col)) refuse(`ON DUPLICATE KEY UPDATE changes sharding column ${col}`);
  }
  const pick = (row: unknown[], column: string | undefined): ValueRef | undefined => {
    if (column === undefined) return undefined;
    const v = valueRef(row[columns.indexOf(column.toLowerCase())]);
    if (v === undefined) refuse(`the value of sharding column ${column} must be a literal or a parameter`);
    return v;
  };
  return (values.values ?? []).map((r) => {
    const row: InsertRow = {};
    const db = pick(r.value, table.databaseStrategy?.shardingColumn);
    const tb = pick(r.value, table.tableStrategy?.shardingColumn);
    if (db) row.dbValue = db;
    if (tb) row.tableValue = tb;
    return row;
  });
}

function writeFanOut(ast: AstNode): { fanOutProblem?: string } {
  if ((ast.orderby as unknown[] | null)?.length || ast.limit) {
    return { fanOutProblem: 'ORDER BY / LIMIT in an UPDATE or DELETE cannot be split across shards; add the sharding key' };
  }
  return {};
}

export function shardingColumns(t: TableRule): string[] {
  return unique([t.databaseStrategy?.shardingColumn, t.tableStrategy?.shardingColumn].filter((c) => c !== undefined).map((c) => c.toLowerCase()));
}

/** Names a column may be qualified with to mean one of these tables: the name or its alias. */
function ownersOf(ast: AstNode, tables: TableRule[]): Set<string> {
  const names = new Set(tables.map((t) => t.logicTable.toLowerCase()));
  const out = new Set(names);
  const refs = [...((ast.from as AstNode[] | null) ?? []), ...(Array.isArray(ast.table) ? (ast.table as AstNode[]) : [])];
  for (const ref of refs) {
    if (typeof ref.table === 'string' && names.has(ref.table.toLowerCase()) && typeof ref.as === 'string') out.add(ref.as.toLowerCase());
  }
  return out;
}

function mentionsShardedTable(sql: string, rule: ShardingRule): boolean {
  const words = new Set(sql.toLowerCase().match(/[a-z0-9_$]+/g) ?? []);
  return [...rule.tables.keys()].some((t) => words.has(t));
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

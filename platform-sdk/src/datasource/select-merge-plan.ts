/**
 * How a SELECT that runs on several shards is merged back into the one result MySQL would
 * give for the logical table. The fan-out statement differs from the user's in three ways:
 * every select item gets an internal alias (so rows carry stable keys), ORDER BY / GROUP BY
 * expressions missing from the select list and the SUM/COUNT behind each AVG are added as
 * hidden items, and `LIMIT o, n` becomes `LIMIT o + n` per shard (a synthetic parameter).
 *
 * What cannot be merged exactly — HAVING, DISTINCT aggregates, aggregates inside
 * expressions, window functions, non-grouped columns beside aggregates — is reported as a
 * problem, and the router refuses the statement whenever it would touch more than one shard.
 */
import {
  cloneAst,
  columnName,
  exprText,
  hasSubquery,
  paramNode,
  sourceText,
  walk,
  type AstNode,
} from './sql-ast.js';
import { valueRef, type ValueRef } from './sharding-conditions.js';

export type AggregateKind = 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';

export interface MergeColumn {
  /** Key of the column in fan-out rows. */
  key: string;
  /** Key in the merged row; undefined for hidden helper columns. */
  label: string | undefined;
  aggregate?: AggregateKind;
  /** For AVG: keys of its hidden SUM and COUNT. */
  avgSumKey?: string;
  avgCountKey?: string;
}

export interface MergePlan {
  columns: MergeColumn[];
  /** `*` or `t.*` in the select list: those columns pass through under their own names. */
  star: boolean;
  /** Aggregates or GROUP BY: rows are combined per group key. */
  grouped: boolean;
  groupKeys: string[];
  orderBy: { key: string; desc: boolean }[];
  limit?: { offset?: ValueRef; count: ValueRef };
  /** Fan-out SQL carries `LIMIT ?` with this synthetic parameter (offset + count). */
  shardLimitParam?: number;
  distinct: boolean;
}

export type SelectMerge = { fanOutAst: AstNode; merge: MergePlan } | { problem: string };

const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

export function buildSelectMerge(ast: AstNode, numberedSql: string, paramCount: number): SelectMerge {
  if (ast.having) return { problem: 'HAVING cannot be merged across shards' };
  const fan = cloneAst(ast);
  const items = fan.columns as { expr: AstNode; as: string | null }[];
  const columns: MergeColumn[] = [];
  let star = false;
  let problem: string | undefined;
  const exprKeys = new Map<string, string>();

  const addItem = (expr: AstNode, label: string | undefined, prefix: string): MergeColumn => {
    const key = `__silk_${prefix}${columns.length}`;
    const col: MergeColumn = { key, label };
    if (expr.type === 'aggr_func') {
      const name = String(expr.name).toUpperCase();
      const args = (expr.args ?? {}) as AstNode;
      if (!AGGREGATES.has(name)) problem ??= `aggregate ${name} cannot be merged across shards`;
      else if (args.distinct) problem ??= `${name}(DISTINCT ...) cannot be merged across shards`;
      else if (expr.over) problem ??= 'window functions cannot be merged across shards';
      col.aggregate = name as AggregateKind;
    } else if (containsAggregate(expr)) {
      problem ??= 'an aggregate inside an expression cannot be merged across shards; select the aggregate itself';
    }
    if (expr.over || (expr.type === 'function' && JSON.stringify(expr).includes('"over":{'))) {
      problem ??= 'window functions cannot be merged across shards';
    }
    columns.push(col);
    exprKeys.set(exprText(expr), key);
    return col;
  };

  const originalCount = items.length;
  for (let i = 0; i < originalCount; i++) {
    const item = items[i] as { expr: AstNode; as: string | null };
    if (item.expr.type === 'column_ref' && columnName(item.expr) === '*') {
      star = true;
      continue;
    }
    const label = item.as ?? (columnName(item.expr) ?? sourceText(item.expr, numberedSql) ?? exprText(item.expr));
    const col = addItem(item.expr, label, 'c');
    item.as = col.key;
  }
  const hidden = (expr: AstNode): string => {
    const col = addItem(expr, undefined, 'h');
    items.push({ expr: cloneAst(expr), as: col.key });
    return col.key;
  };
  for (const col of columns.filter((c) => c.aggregate === 'AVG')) {
    const item = items.find((it) => it.as === col.key) as { expr: AstNode };
    const args = cloneAst(item.expr.args);
    col.avgSumKey = hidden({ type: 'aggr_func', name: 'SUM', args, over: null });
    col.avgCountKey = hidden({ type: 'aggr_func', name: 'COUNT', args: cloneAst(args), over: null });
  }

  const resolveKey = (expr: AstNode): string => {
    if (expr.type === 'number' && typeof expr.value === 'number') {
      const item = items[expr.value - 1];
      if (item && item.as !== null) return item.as;
    }
    const name = columnName(expr);
    if (name !== undefined) {
      const lower = name.toLowerCase();
      const byAlias = columns.find((c) => c.label?.toLowerCase() === lower && c.key.startsWith('__silk_c'));
      if (byAlias) return byAlias.key;
      if (star && !exprKeys.has(exprText(expr))) return name;
    }
    return exprKeys.get(exprText(expr)) ?? hidden(expr);
  };

  // A key that names a select item is written back as that item's internal alias: the
  // user's alias no longer exists in the fan-out statement.
  const keyed = (expr: AstNode): string => {
    const key = resolveKey(expr);
    if (key.startsWith('__silk_')) {
      for (const k of Object.keys(expr)) delete expr[k];
      Object.assign(expr, { type: 'column_ref', table: null, column: key });
    }
    return key;
  };
  const groupBy = ((fan.groupby as AstNode | null)?.columns ?? []) as AstNode[];
  const groupKeys = groupBy.map(keyed);
  const orderBy = ((fan.orderby ?? []) as { expr: AstNode; type: string | null }[]).map((o) => ({
    key: keyed(o.expr),
    desc: String(o.type).toUpperCase() === 'DESC',
  }));
  const grouped = groupKeys.length > 0 || columns.some((c) => c.aggregate !== undefined);
  const distinct = typeof fan.distinct === 'string' && fan.distinct.toUpperCase() === 'DISTINCT';
  if (grouped) {
    if (star) problem ??= 'SELECT * beside aggregates cannot be merged across shards';
    if (distinct) problem ??= 'DISTINCT with aggregates cannot be merged across shards';
    for (const c of columns) {
      if (c.aggregate === undefined && !groupKeys.includes(c.key)) {
        problem ??= 'a column outside GROUP BY beside aggregates cannot be merged across shards';
      }
    }
  }
  if (hasSubquery(ast)) problem ??= 'subqueries cannot be merged across shards';
  if (problem !== undefined) return { problem };

  const merge: MergePlan = { columns, star, grouped, groupKeys, orderBy, distinct };
  const limit = fan.limit as { seperator: string; value: AstNode[] } | null;
  if (limit && limit.value.length > 0) {
    const refs = limit.value.map(valueRef);
    if (refs.some((r) => r === undefined)) return { problem: 'LIMIT must be numbers or parameters' };
    const [a, b] = refs as ValueRef[];
    merge.limit = refs.length === 1 ? { count: a as ValueRef } : limit.seperator === 'offset' ? { count: a as ValueRef, offset: b as ValueRef } : { offset: a as ValueRef, count: b as ValueRef };
    if (!grouped && !distinct) {
      merge.shardLimitParam = paramCount;
      fan.limit = { seperator: '', value: [paramNode(paramCount)] };
    } else {
      fan.limit = null;
    }
  }
  return { fanOutAst: fan, merge };
}

function containsAggregate(expr: AstNode): boolean {
  let found = false;
  walk({ expr }, (n) => {
    if (n.type === 'aggr_func') found = true;
    return !found;
  });
  return found;
}

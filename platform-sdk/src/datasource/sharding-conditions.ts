/**
 * What a WHERE clause says about the sharding columns, kept symbolic (parameters by index) so
 * one analysis serves every execution of a statement. `=`, `IN`, `BETWEEN` and `<`/`<=`/`>`/
 * `>=` against a literal or parameter narrow a column; AND intersects, OR unites; anything
 * else (functions, NOT, IS NULL, column-to-column) leaves the column unconstrained, which
 * routes wider, never wrong.
 */
import type { AstNode } from './sql-ast.js';
import { columnName, literalValue, paramIndex } from './sql-ast.js';
import type { ShardingValue, ValueRange } from './sharding-algorithms.js';

export type ValueRef = { param: number } | { literal: ShardingValue | null };

export type Condition =
  | { kind: 'in'; column: string; values: ValueRef[] }
  | { kind: 'range'; column: string; lower?: ValueRef; lowerClosed: boolean; upper?: ValueRef; upperClosed: boolean }
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'any' };

export const ANY: Condition = { kind: 'any' };

/**
 * @param owns whether a column qualifier (null, the table name or an alias) belongs to the
 *   sharded table the conditions are collected for.
 */
export function extractCondition(where: unknown, owns: (qualifier: string | null) => boolean): Condition {
  const n = where as AstNode | null;
  if (n === null || typeof n !== 'object' || n.type !== 'binary_expr') return ANY;
  const op = String(n.operator).toUpperCase();
  if (op === 'AND' || op === 'OR') {
    return { kind: op === 'AND' ? 'and' : 'or', items: [extractCondition(n.left, owns), extractCondition(n.right, owns)] };
  }
  const col = (x: unknown): string | undefined => {
    const c = x as AstNode;
    const name = columnName(c);
    const q = c.table;
    return name !== undefined && owns(typeof q === 'string' ? q : null) ? name.toLowerCase() : undefined;
  };
  const left = col(n.left);
  const right = col(n.right);
  const list = ((n.right as AstNode | null)?.value ?? []) as unknown[];
  if (op === 'IN' && left !== undefined) {
    const values = list.map(valueRef);
    return values.every((v) => v !== undefined) ? { kind: 'in', column: left, values: values } : ANY;
  }
  if (op === 'BETWEEN' && left !== undefined) {
    const [lo, hi] = list.map(valueRef);
    if (lo === undefined || hi === undefined) return ANY;
    return { kind: 'range', column: left, lower: lo, lowerClosed: true, upper: hi, upperClosed: true };
  }
  // `5 = col` reads as `col = 5`, `5 < col` as `col > 5`.
  const [column, valueNode, cmp] =
    left !== undefined ? [left, n.right, op] : right !== undefined ? [right, n.left, FLIP[op] ?? ''] : [undefined, undefined, ''];
  const v = valueRef(valueNode);
  if (column === undefined || v === undefined) return ANY;
  switch (cmp) {
    case '=':
      return { kind: 'in', column, values: [v] };
    case '>':
    case '>=':
      return { kind: 'range', column, lower: v, lowerClosed: cmp === '>=', upperClosed: false };
    case '<':
    case '<=':
      return { kind: 'range', column, upper: v, upperClosed: cmp === '<=', lowerClosed: false };
    default:
      return ANY;
  }
}

const FLIP: Record<string, string> = { '=': '=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

export function valueRef(node: unknown): ValueRef | undefined {
  const p = paramIndex(node);
  if (p !== undefined) return { param: p };
  const lit = literalValue(node);
  return lit === undefined ? undefined : { literal: lit };
}

export function resolve(ref: ValueRef, params: readonly unknown[]): unknown {
  return 'param' in ref ? params[ref.param] : ref.literal;
}

/** Values a column can take per the condition: a finite set, a range, or anything. */
export type ColumnConstraint = { kind: 'values'; values: ShardingValue[] } | { kind: 'range'; range: ValueRange } | { kind: 'any' };

/**
 * Evaluates the condition for one column into the targets the algorithm allows. `targetsOf`
 * turns a constraint into target names; AND keeps the common targets, OR the union.
 */
export function targetsFor(
  cond: Condition,
  column: string,
  params: readonly unknown[],
  targetsOf: (c: ColumnConstraint) => Set<string> | 'all',
): Set<string> | 'all' {
  switch (cond.kind) {
    case 'any':
      return 'all';
    case 'in': {
      if (cond.column !== column) return 'all';
      const values = cond.values.map((v) => resolve(v, params));
      if (!values.every((v) => isShardingValue(v))) return 'all';
      return targetsOf({ kind: 'values', values: values });
    }
    case 'range': {
      if (cond.column !== column) return 'all';
      const lower = cond.lower && resolve(cond.lower, params);
      const upper = cond.upper && resolve(cond.upper, params);
      if ((lower !== undefined && !isShardingValue(lower)) || (upper !== undefined && !isShardingValue(upper))) return 'all';
      const range: ValueRange = { lowerClosed: cond.lowerClosed, upperClosed: cond.upperClosed };
      if (lower !== undefined) range.lower = lower;
      if (upper !== undefined) range.upper = upper;
      return targetsOf({ kind: 'range', range });
    }
    case 'and': {
      let acc: Set<string> | 'all' = 'all';
      for (const item of cond.items) {
        const t = targetsFor(item, column, params, targetsOf);
        if (t === 'all') continue;
        acc = acc === 'all' ? t : intersect(acc, t);
      }
      return acc;
    }
    case 'or': {
      const acc = new Set<string>();
      for (const item of cond.items) {
        const t = targetsFor(item, column, params, targetsOf);
        if (t === 'all') return 'all';
        for (const x of t) acc.add(x);
      }
      return acc;
    }
  }
}

export function isShardingValue(v: unknown): v is ShardingValue {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || v instanceof Date;
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

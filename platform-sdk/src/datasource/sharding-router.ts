/**
 * Routes one statement with its parameters to the physical statements that answer it: the
 * data nodes its sharding values select (all of them when it has none), each with the logic
 * table names rewritten to the node's tables. Plans and rewritten texts are cached by SQL text
 * and node, so a repeated statement costs a map lookup and an algorithm call, not a parse.
 */
import { NoRouteError, UnsupportedShardingSqlError } from './errors.js';
import type { DataNode } from './inline-expression.js';
import type { MergePlan } from './select-merge-plan.js';
import { resolve, targetsFor, isShardingValue, type ColumnConstraint, type Condition, type ValueRef } from './sharding-conditions.js';
import type { ShardingRule, ShardingStrategy, TableRule } from './sharding-rule.js';
import { cloneAst, printStatement, walk, type AstNode } from './sql-ast.js';
import { planStatement, type StatementPlan } from './statement-plan.js';

export interface RouteUnit {
  dataSource: string;
  sql: string;
  params: unknown[];
}

export type RouteResult =
  /** One physical statement whose result is the answer as is. */
  | { kind: 'single'; unit: RouteUnit; write: boolean; lockingRead: boolean }
  /** A SELECT on several shards; rows merged by the plan. */
  | { kind: 'merge'; units: RouteUnit[]; merge: MergePlan; lockingRead: boolean }
  /** A write on several shards; affected rows added up. */
  | { kind: 'multi-write'; units: RouteUnit[] };

export interface ShardingRouterOptions {
  /** Where statements without sharded tables go. */
  defaultDataSource: string;
  /** Cached plans (one per distinct SQL text); default 2000. */
  planCacheSize?: number;
}

type ShardedPlan = Extract<StatementPlan, { kind: 'sharded' }>;

export class ShardingRouter {
  readonly #plans = new Map<string, StatementPlan>();
  readonly #texts = new WeakMap<ShardedPlan, Map<string, { sql: string; order: number[] }>>();
  readonly #cacheSize: number;

  constructor(
    readonly rule: ShardingRule,
    private readonly options: ShardingRouterOptions,
  ) {
    this.#cacheSize = options.planCacheSize ?? 2000;
  }

  plan(sql: string): StatementPlan {
    let plan = this.#plans.get(sql);
    if (plan === undefined) {
      plan = planStatement(sql, this.rule);
      if (this.#plans.size >= this.#cacheSize) this.#plans.delete(this.#plans.keys().next().value as string);
      this.#plans.set(sql, plan);
    }
    return plan;
  }

  route(sql: string, params: readonly unknown[] = []): RouteResult {
    const plan = this.plan(sql);
    if (plan.kind === 'passthrough') {
      if (plan.broadcastWrite) {
        return { kind: 'multi-write', units: this.rule.dataSourceNames.map((dataSource) => ({ dataSource, sql, params: [...params] })) };
      }
      const write = !/^\s*(\(\s*)*select\b/i.test(sql);
      return { kind: 'single', unit: { dataSource: this.options.defaultDataSource, sql, params: [...params] }, write, lockingRead: false };
    }
    if (plan.type === 'insert' || plan.type === 'replace') return this.#routeInsert(plan, params);
    const indexes = this.#nodeIndexes(plan.table, plan.condition, params);
    const write = plan.type !== 'select';
    if (indexes.length === 1) {
      return { kind: 'single', unit: this.#unit(plan, plan.ast, indexes[0] as number, 's', params), write, lockingRead: plan.lockingRead };
    }
    if (write) {
      if (plan.fanOutProblem) throw new UnsupportedShardingSqlError(plan.fanOutProblem, sql);
      return { kind: 'multi-write', units: indexes.map((i) => this.#unit(plan, plan.ast, i, 's', params)) };
    }
    const select = plan.select;
    if (!select || 'problem' in select) throw new UnsupportedShardingSqlError(`it reads ${indexes.length} shards and ${select?.problem ?? 'cannot be merged'}`, sql);
    const merge = select.merge;
    let shardParams = params;
    if (merge.shardLimitParam !== undefined && merge.limit) {
      const offset = merge.limit.offset ? Number(resolve(merge.limit.offset, params)) : 0;
      const copy = [...params];
      copy[merge.shardLimitParam] = offset + Number(resolve(merge.limit.count, params));
      shardParams = copy;
    }
    return {
      kind: 'merge',
      units: indexes.map((i) => this.#unit(plan, select.fanOutAst, i, 'm', shardParams)),
      merge,
      lockingRead: plan.lockingRead,
    };
  }

  /** Positions in the table's actualDataNodes the condition selects (never empty). */
  #nodeIndexes(table: TableRule, condition: Condition, params: readonly unknown[]): number[] {
    const dbs = this.#targets(table, table.databaseStrategy, table.dataSourceNames, condition, params);
    const tableNames = [...new Set(table.dataNodes.map((n) => n.table))];
    const tables = this.#targets(table, table.tableStrategy, tableNames, condition, params);
    const out: number[] = [];
    table.dataNodes.forEach((n, i) => {
      if ((dbs === 'all' || dbs.has(n.dataSource)) && (tables === 'all' || tables.has(n.table))) out.push(i);
    });
    // Contradictory conditions (id = 1 AND id = 2) select no node; any one shard answers them
    // exactly (no rows, COUNT 0), which a merge of nothing would not.
    return out.length > 0 ? out : [0];
  }

  #targets(
    table: TableRule,
    strategy: ShardingStrategy | undefined,
    available: string[],
    condition: Condition,
    params: readonly unknown[],
  ): Set<string> | 'all' {
    if (!strategy) return 'all';
    const column = strategy.shardingColumn.toLowerCase();
    return targetsFor(condition, column, params, (c: ColumnConstraint) => {
      if (c.kind === 'any') return 'all';
      if (c.kind === 'range') return new Set(strategy.algorithm.doRangeSharding(available, c.range));
      return new Set(c.values.map((v) => this.#precise(table, strategy, available, v)));
    });
  }

  #precise(table: TableRule, strategy: ShardingStrategy, available: readonly string[], value: unknown): string {
    let target: string | undefined;
    try {
      target = isShardingValue(value) ? strategy.algorithm.doSharding(available, value) : undefined;
    } catch (err) {
      // A value the algorithm cannot read ('abc' for MOD) has no node either.
      throw new NoRouteError(table.logicTable, strategy.shardingColumn, value, err);
    }
    if (target === undefined) throw new NoRouteError(table.logicTable, strategy.shardingColumn, value);
    return target;
  }

  #routeInsert(plan: ShardedPlan, params: readonly unknown[]): RouteResult {
    const table = plan.table;
    const byNode = new Map<number, number[]>();
    (plan.insertRows ?? []).forEach((row, r) => {
      const index = this.#insertNode(table, row.dbValue, row.tableValue, params);
      byNode.set(index, [...(byNode.get(index) ?? []), r]);
    });
    const units = [...byNode.entries()].map(([index, rows]) => {
      if (byNode.size === 1) return this.#unit(plan, plan.ast, index, 's', params);
      const ast = cloneAst(plan.ast);
      const values = ast.values as { values: unknown[] };
      values.values = rows.map((r) => values.values[r]);
      return this.#unit(plan, ast, index, `i${rows.join(',')}`, params);
    });
    if (units.length === 1) return { kind: 'single', unit: units[0] as RouteUnit, write: true, lockingRead: false };
    return { kind: 'multi-write', units };
  }

  #insertNode(table: TableRule, dbValue: ValueRef | undefined, tableValue: ValueRef | undefined, params: readonly unknown[]): number {
    const ds = table.databaseStrategy
      ? this.#precise(table, table.databaseStrategy, table.dataSourceNames, dbValue && resolve(dbValue, params))
      : table.dataSourceNames[0];
    const onDs = table.dataNodes.filter((n) => n.dataSource === ds).map((n) => n.table);
    const tb = table.tableStrategy ? this.#precise(table, table.tableStrategy, onDs, tableValue && resolve(tableValue, params)) : onDs[0];
    const index = table.dataNodes.findIndex((n) => n.dataSource === ds && n.table === tb);
    if (index === -1) throw new NoRouteError(table.logicTable, table.tableStrategy?.shardingColumn ?? '?', tableValue && resolve(tableValue, params));
    return index;
  }

  #unit(plan: ShardedPlan, ast: AstNode, index: number, variant: string, params: readonly unknown[]): RouteUnit {
    const node = plan.table.dataNodes[index] as DataNode;
    let texts = this.#texts.get(plan);
    if (!texts) {
      texts = new Map<string, { sql: string; order: number[] }>();
      this.#texts.set(plan, texts);
    }
    const key = `${variant}|${index}`;
    let text = texts.get(key);
    if (text === undefined) {
      const renames = new Map<string, string>([[plan.table.logicTable.toLowerCase(), node.table]]);
      for (const b of plan.bound) renames.set(b.logicTable.toLowerCase(), (b.dataNodes[index] as DataNode).table);
      text = printStatement(renameTables(ast, renames));
      texts.set(key, text);
    }
    return { dataSource: node.dataSource, sql: text.sql, params: text.order.map((i) => params[i]) };
  }
}

/** A copy of the AST with logic table names (in table references and column qualifiers) replaced. */
export function renameTables(ast: AstNode, renames: ReadonlyMap<string, string>): AstNode {
  const copy = cloneAst(ast);
  walk(copy, (node) => {
    if (typeof node.table !== 'string') return;
    const to = renames.get(node.table.toLowerCase());
    if (to === undefined) return;
    if ('db' in node || node.type === 'column_ref') node.table = to;
  });
  return copy;
}

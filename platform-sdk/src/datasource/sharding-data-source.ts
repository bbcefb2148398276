/**
 * The data source an application queries with logic table names: each statement is routed
 * (sharding-router), its physical statements run on the named resources, and their results
 * merged. Outside a transaction every statement takes the rule in force when it starts; a
 * transaction keeps the rule it began with to its end, so a rule change pushed from Nacos
 * applies to new transactions only.
 *
 * Transactions here are ShardingSphere's LOCAL type: one local transaction per data source
 * touched, committed one after another. Atomicity across shards is what a global (AT)
 * transaction adds, by wrapping each resource before it is handed to this class.
 */
import { UnknownDataSourceError } from './errors.js';
import { markWrite } from './read-hint.js';
import { type DataSourceResource, type QueryOutput, type ResourceConnection, type AccessIntent } from './resource.js';
import { mergeRows, type FieldInfo, type Row } from './result-merger.js';
import type { MergePlan } from './select-merge-plan.js';
import { textOf } from './sharding-algorithms.js';
import type { ShardingRule } from './sharding-rule.js';
import { ShardingRouter, type RouteResult, type RouteUnit } from './sharding-router.js';

export interface ShardingDataSourceOptions {
  rule: ShardingRule;
  /** Every data source the rule names, by name. */
  dataSources: readonly DataSourceResource[];
  /** Where statements on tables the rule does not shard go; default the first data source. */
  defaultDataSource?: string;
}

/** Affected rows of a write, added up over the shards it ran on. */
export interface WriteResult {
  affectedRows: number;
  changedRows: number;
  insertId: number;
}

type Runner = (unit: RouteUnit, intent: AccessIntent) => Promise<QueryOutput>;

export class ShardingDataSource {
  readonly #resources: Map<string, DataSourceResource>;
  readonly #default: string;
  #router: ShardingRouter;

  constructor(options: ShardingDataSourceOptions) {
    this.#resources = new Map(options.dataSources.map((d) => [d.name, d]));
    const first = options.dataSources[0];
    this.#default = options.defaultDataSource ?? first?.name ?? '';
    this.#router = this.#routerFor(options.rule);
  }

  get rule(): ShardingRule {
    return this.#router.rule;
  }

  /** Swaps the rule for statements and transactions that start from now on. */
  setRule(rule: ShardingRule): void {
    this.#router = this.#routerFor(rule);
  }

  /** How a statement would be routed, without running it. */
  route(sql: string, params: readonly unknown[] = []): RouteResult {
    return this.#router.route(sql, params);
  }

  async query<T = Row[] | WriteResult>(sql: string, params: readonly unknown[] = []): Promise<[T, FieldInfo[] | undefined]> {
    const route = this.#router.route(sql, params);
    const out = await execute(route, params, (unit, intent) => this.#resource(unit.dataSource).query(unit.sql, unit.params, intent));
    return out as [T, FieldInfo[] | undefined];
  }

  /** Runs fn in one transaction per data source it touches; commits them all, or rolls them all back. */
  async transaction<T>(fn: (tx: ShardingTransaction) => Promise<T>): Promise<T> {
    const tx = new ShardingTransaction(this.#router, (name) => this.#resource(name));
    try {
      const result = await fn(tx);
      await tx.commit();
      return result;
    } catch (err) {
      await tx.rollback();
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#resources.values()].map((r) => r.close()));
  }

  #resource(name: string): DataSourceResource {
    const r = this.#resources.get(name);
    if (!r) throw new UnknownDataSourceError(name, [...this.#resources.keys()]);
    return r;
  }

  #routerFor(rule: ShardingRule): ShardingRouter {
    for (const name of [...rule.dataSourceNames, this.#default]) {
      if (!this.#resources.has(name)) throw new UnknownDataSourceError(name, [...this.#resources.keys()]);
    }
    return new ShardingRouter(rule, { defaultDataSource: this.#default });
  }
}

/** One LOCAL transaction: a connection per data source, opened on first use, on the primary. */
export class ShardingTransaction {
  readonly #connections = new Map<string, Promise<ResourceConnection>>();
  #done = false;

  constructor(
    private readonly router: ShardingRouter,
    private readonly resource: (name: string) => DataSourceResource,
  ) {}

  async query<T = Row[] | WriteResult>(sql: string, params: readonly unknown[] = []): Promise<[T, FieldInfo[] | undefined]> {
    const route = this.router.route(sql, params);
    const out = await execute(route, params, async (unit) => (await this.#connection(unit.dataSource)).query(unit.sql, unit.params));
    return out as [T, FieldInfo[] | undefined];
  }

  /** Names of the data sources this transaction has touched so far. */
  get dataSources(): string[] {
    return [...this.#connections.keys()];
  }

  async commit(): Promise<void> {
    await this.#finish((c) => c.commit());
  }

  async rollback(): Promise<void> {
    await this.#finish((c) => c.rollback());
  }

  #connection(name: string): Promise<ResourceConnection> {
    let conn = this.#connections.get(name);
    if (!conn) {
      conn = this.resource(name)
        .getConnection('write')
        .then(async (c) => {
          try {
            await c.beginTransaction();
            return c;
          } catch (err) {
            c.release();
            throw err;
          }
        });
      this.#connections.set(name, conn);
    }
    return conn;
  }

  async #finish(end: (c: ResourceConnection) => Promise<void>): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const conns = await Promise.allSettled(this.#connections.values());
    let failure: Error | undefined;
    for (const r of conns) {
      if (r.status !== 'fulfilled') continue;
      try {
        await end(r.value);
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(textOf(err));
      } finally {
        r.value.release();
      }
    }
    if (failure !== undefined) throw failure;
  }
}

async function execute(route: RouteResult, params: readonly unknown[], run: Runner): Promise<QueryOutput> {
  switch (route.kind) {
    case 'single': {
      if (route.write) markWrite();
      return run(route.unit, route.write || route.lockingRead ? 'write' : 'read');
    }
    case 'multi-write': {
      markWrite();
      const outs = await Promise.all(route.units.map((u) => run(u, 'write')));
      return [sumWrites(outs.map((o) => o[0] as Partial<WriteResult>)), undefined];
    }
    case 'merge': {
      const intent = route.lockingRead ? 'write' : 'read';
      const outs = await Promise.all(route.units.map((u) => run(u, intent)));
      const fields = outs[0]?.[1] ?? [];
      return [mergeRows(route.merge, outs.map((o) => o[0] as Row[]), fields, params), visibleFields(route.merge, fields)];
    }
  }
}

function sumWrites(results: Partial<WriteResult>[]): WriteResult {
  const out: WriteResult = { affectedRows: 0, changedRows: 0, insertId: 0 };
  for (const r of results) {
    out.affectedRows += r.affectedRows ?? 0;
    out.changedRows += r.changedRows ?? 0;
    if (!out.insertId && r.insertId) out.insertId = r.insertId;
  }
  return out;
}

function visibleFields(merge: MergePlan, fields: readonly FieldInfo[]): FieldInfo[] {
  const byKey = new Map(merge.columns.map((c) => [c.key, c]));
  return fields.flatMap((f) => {
    const col = byKey.get(f.name);
    if (col === undefined) return [f];
    return col.label === undefined ? [] : [{ ...f, name: col.label }];
  });
}

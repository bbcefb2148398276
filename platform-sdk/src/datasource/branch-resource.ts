/**
 * A physical data source whose transactions are branches of a global transaction: adapts
 * an AT data source (tx's `AtDataSource`, or anything with its `transaction(fn)` shape) to
 * the `DataSourceResource` the sharding router runs on. Wrap each shard's pool in its own
 * AT data source (resourceId = that shard's identity) and hand these resources to the
 * ShardingDataSource: inside `globalTransaction`, `ShardingDataSource.transaction` then opens
 * one AT branch per shard it touches, each registering its own lock keys, and the global
 * rollback undoes every shard.
 *
 * The AT data source owns the local transaction for the length of its callback; the adapter
 * keeps that callback open until the sharded transaction commits or rolls back. If the AT
 * layer re-runs the callback (its lock-conflict retry), the statements of the first run are
 * already gone, so the adapter fails the branch instead of committing it empty: the caller's
 * transaction fails and can be retried whole.
 */
import { DatasourceError } from './errors.js';
import type { AccessIntent, DataSourceResource, QueryOutput, ResourceConnection } from './resource.js';

/** The statement API an AT branch lends its callback. */
export interface BranchStatements {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<[T, unknown]>;
}

/** What the adapter needs of an AT data source (tx's AtDataSource has this shape). */
export interface BranchTransactionSource {
  transaction<T>(fn: (conn: BranchStatements) => Promise<T>): Promise<T>;
  query<T = unknown>(sql: string, params?: unknown[]): Promise<[T, unknown]>;
}


export function branchResource(name: string, source: BranchTransactionSource, close: () => Promise<void> = () => Promise.resolve()): DataSourceResource {
  return {
    name,
    query: async (sql, params) => (await source.query(sql, [...params])) as QueryOutput,
    getConnection: (intent: AccessIntent) => openBranch(name, source, intent),
    close,
  };
}

function openBranch(name: string, source: BranchTransactionSource, intent: AccessIntent): Promise<ResourceConnection> {
  void intent; // a branch always runs on the primary
  return new Promise((resolveConn, rejectConn) => {
    let finish!: (commit: boolean) => void;
    const decided = new Promise<boolean>((r) => (finish = r));
    let runs = 0;
    const done = source.transaction(async (conn) => {
      if (++runs > 1) {
        throw new DatasourceError(
          'SILK_DATASOURCE_UNAVAILABLE',
          `data source "${name}": the branch was retried after a lock conflict, but its statements belong to the sharded transaction; retry the whole transaction`,
          { retryable: true, statusCode: 409, details: { name } },
        );
      }
      resolveConn({
        query: async (sql, params) => (await conn.query(sql, [...params])) as QueryOutput,
        beginTransaction: () => Promise.resolve(),
        commit: async () => {
          finish(true);
          await done;
        },
        rollback: async () => {
          finish(false);
          await done.catch(() => undefined);
        },
        release: () => undefined,
      });
      // Throwing is how the AT data source is told to roll its branch back.
      if (!(await decided)) throw new Error(`data source "${name}": rolled back by the sharded transaction`);
    });
    // Opening failed before the callback ran (no connection, TC unreachable): report that.
    done.catch((err: unknown) => {
      if (runs === 0) rejectConn(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

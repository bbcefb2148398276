/**
 * A physical data source as a named resource: what the sharding router runs physical
 * statements on, and the seam a transaction layer wraps. Seata's AT mode proxies a JDBC
 * DataSource per resource id; here a transaction client wraps a `DataSourceResource` (same
 * name, its connections recording undo images and branch locks) and hands the wrapped
 * resources to the ShardingDataSource, which never needs to know.
 */
import type mysql from 'mysql2/promise';
import type { FieldInfo } from './result-merger.js';

/** Whether a statement only reads (a replica may serve it) or writes / runs in a transaction. */
export type AccessIntent = 'read' | 'write';

/** mysql2's [rows or header, fields]. */
export type QueryOutput = [unknown, FieldInfo[] | undefined];

export interface ResourceConnection {
  query(sql: string, params: readonly unknown[]): Promise<QueryOutput>;
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  release(): void;
}

export interface DataSourceResource {
  /** The name the rules use (`ds_0`), and the resource id a transaction layer registers. */
  readonly name: string;
  /** One statement outside any transaction. */
  query(sql: string, params: readonly unknown[], intent: AccessIntent): Promise<QueryOutput>;
  /** A connection held for a transaction (always 'write': transactions run on the primary). */
  getConnection(intent: AccessIntent): Promise<ResourceConnection>;
  close(): Promise<void>;
}

/** A plain mysql2 pool as a resource (one server, no replicas). */
export function poolResource(name: string, pool: mysql.Pool): DataSourceResource {
  return {
    name,
    query: (sql, params) => pool.query(sql, params as unknown[]),
    getConnection: async () => connectionOf(await pool.getConnection()),
    close: () => pool.end(),
  };
}

export function connectionOf(conn: mysql.PoolConnection): ResourceConnection {
  return {
    query: (sql, params) => conn.query(sql, params as unknown[]),
    beginTransaction: () => conn.beginTransaction(),
    commit: () => conn.commit(),
    rollback: () => conn.rollback(),
    release: () => conn.release(),
  };
}

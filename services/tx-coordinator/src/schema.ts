/**
 * The TC's tables: Seata's DB-mode global_table, branch_table and lock_table
 * (script/server/db/mysql.sql) with the same columns, plus two ownership columns on
 * global_table (`owner`, `lease_until`) so several TCs can share one database and take over
 * the sessions of one that stopped renewing its lease. A suffix keeps test runs apart.
 */
import type { Pool } from 'mysql2/promise';

export interface TableNames {
  global: string;
  branch: string;
  lock: string;
}

export function tableNames(suffix = ''): TableNames {
  return { global: `global_table${suffix}`, branch: `branch_table${suffix}`, lock: `lock_table${suffix}` };
}

export function ddl(t: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS \`${t.global}\` (
      xid VARCHAR(128) NOT NULL,
      transaction_id BIGINT NOT NULL,
      status TINYINT NOT NULL,
      application_id VARCHAR(32),
      transaction_service_group VARCHAR(32),
      transaction_name VARCHAR(128),
      timeout INT NOT NULL,
      begin_time BIGINT NOT NULL,
      application_data VARCHAR(2000),
      owner VARCHAR(64) NOT NULL,
      lease_until BIGINT NOT NULL,
      gmt_create DATETIME,
      gmt_modified DATETIME,
      PRIMARY KEY (xid),
      KEY idx_status_lease (status, lease_until),
      KEY idx_transaction_id (transaction_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    `CREATE TABLE IF NOT EXISTS \`${t.branch}\` (
      branch_id BIGINT NOT NULL,
      xid VARCHAR(128) NOT NULL,
      transaction_id BIGINT NOT NULL,
      resource_group_id VARCHAR(32),
      resource_id VARCHAR(256),
      branch_type VARCHAR(8),
      status TINYINT NOT NULL,
      client_id VARCHAR(64),
      application_data VARCHAR(2000),
      gmt_create DATETIME(6),
      gmt_modified DATETIME(6),
      PRIMARY KEY (branch_id),
      KEY idx_xid (xid)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    // row_key is resourceId^^^table^^^pk (AbstractLocker.getRowKey); it can outgrow Seata's
    // VARCHAR(128) with long resource ids, hence 512 here.
    `CREATE TABLE IF NOT EXISTS \`${t.lock}\` (
      row_key VARCHAR(512) NOT NULL,
      xid VARCHAR(128),
      transaction_id BIGINT NOT NULL,
      branch_id BIGINT NOT NULL,
      resource_id VARCHAR(256),
      table_name VARCHAR(64),
      pk VARCHAR(128),
      gmt_create DATETIME,
      gmt_modified DATETIME,
      PRIMARY KEY (row_key),
      KEY idx_branch_id (branch_id),
      KEY idx_xid (xid)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  ];
}

export async function createTables(pool: Pool, t: TableNames): Promise<void> {
  for (const sql of ddl(t)) await pool.query(sql);
}

export async function dropTables(pool: Pool, t: TableNames): Promise<void> {
  for (const name of [t.global, t.branch, t.lock]) await pool.query(`DROP TABLE IF EXISTS \`${name}\``);
}

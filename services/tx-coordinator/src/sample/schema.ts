/**
 * The classic Seata sample's data (order, storage, account — one database each), on
 * run-suffixed tables so concurrent runs never share rows, and the invariants a test checks
 * after every run: stock and money conserved against the orders placed, no undo_log left
 * behind, no global lock left held.
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { undoLogDdl } from '@silk/platform-sdk/tx';

export interface SampleTables {
  suffix: string;
  order: string;
  stock: string;
  account: string;
  undo: string;
}

export function sampleTables(suffix: string): SampleTables {
  return { suffix, order: `order_tbl_${suffix}`, stock: `stock_tbl_${suffix}`, account: `account_tbl_${suffix}`, undo: `undo_log_${suffix}` };
}

export const DBS = { order: 'silk_order', storage: 'silk_storage', account: 'silk_account' } as const;

export function samplePool(database: string, connectionLimit = 8): Pool {
  return mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database, connectionLimit });
}

export async function createSample(t: SampleTables, stock: number, money: number, rows = 1): Promise<void> {
  const pools = [samplePool(DBS.order, 1), samplePool(DBS.storage, 1), samplePool(DBS.account, 1)] as const;
  try {
    const [order, storage, account] = pools;
    for (const p of pools) await p.query(undoLogDdl(t.undo));
    await order.query(`CREATE TABLE IF NOT EXISTS \`${t.order}\` (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id VARCHAR(32), commodity_code VARCHAR(32), count INT, money DECIMAL(12,2))`);
    await storage.query(`CREATE TABLE IF NOT EXISTS \`${t.stock}\` (id INT PRIMARY KEY, commodity_code VARCHAR(32) UNIQUE, count INT NOT NULL)`);
    await account.query(`CREATE TABLE IF NOT EXISTS \`${t.account}\` (id INT PRIMARY KEY, user_id VARCHAR(32) UNIQUE, money DECIMAL(12,2) NOT NULL)`);
    for (let i = 1; i <= rows; i++) {
      await storage.query(`INSERT INTO \`${t.stock}\` VALUES (?, ?, ?)`, [i, `C${i}`, stock]);
      await account.query(`INSERT INTO \`${t.account}\` VALUES (?, ?, ?)`, [i, `U${i}`, money]);
    }
  } finally {
    for (const p of pools) await p.end();
  }
}

export async function dropSample(t: SampleTables): Promise<void> {
  const drops: [string, string[]][] = [
    [DBS.order, [t.order, t.undo]],
    [DBS.storage, [t.stock, t.undo]],
    [DBS.account, [t.account, t.undo]],
  ];
  for (const [db, tables] of drops) {
    const p = samplePool(db, 1);
    for (const name of tables) await p.query(`DROP TABLE IF EXISTS \`${name}\``);
    await p.end();
  }
}

export interface SampleState {
  orders: number;
  orderedCount: number;
  orderedMoney: number;
  stock: number;
  money: number;
  undoRows: number;
}

export async function readSample(t: SampleTables): Promise<SampleState> {
  const one = async (db: string, sql: string) => {
    const p = samplePool(db, 1);
    try {
      const [rows] = await p.query<RowDataPacket[]>(sql);
      return (rows[0] ?? {}) as Record<string, unknown>;
    } finally {
      await p.end();
    }
  };
  const o = await one(DBS.order, `SELECT COUNT(*) n, COALESCE(SUM(count),0) c, COALESCE(SUM(money),0) m FROM \`${t.order}\``);
  const s = await one(DBS.storage, `SELECT COALESCE(SUM(count),0) c FROM \`${t.stock}\``);
  const a = await one(DBS.account, `SELECT COALESCE(SUM(money),0) m FROM \`${t.account}\``);
  let undo = 0;
  for (const db of Object.values(DBS))
    undo += Number((await one(db, `SELECT COUNT(*) n FROM \`${t.undo}\` WHERE log_status = 0`)).n);
  return {
    orders: Number(o.n),
    orderedCount: Number(o.c),
    orderedMoney: Number(o.m),
    stock: Number(s.c),
    money: Number(a.m),
    undoRows: undo,
  };
}

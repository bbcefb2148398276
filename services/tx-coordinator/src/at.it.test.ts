/**
 * AT mode against a real MariaDB and an in-process TC: images and undo for every supported
 * statement form, refusal of what it cannot protect, the dirty-write stop, SELECT FOR
 * UPDATE against a held global lock, the admin endpoint and metrics, and a second TC taking
 * over the sessions of one that stopped.
 */
import mysql, { type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withContext } from '@silk/platform-sdk/core';
import { BranchStatus, GlobalStatus, TxClient, type AtDataSource } from '@silk/platform-sdk/tx';
import { dropTables, tableNames } from './schema.js';
import { TransactionCoordinator } from './tc.js';

const sfx = `at${process.pid}`;
const T = `at_item_${sfx}`;
const T2 = `at_pair_${sfx}`;
const UNDO = `undo_log_${sfx}`;
const db = { host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx' };
const quiet = () => undefined;

let tc: TransactionCoordinator;
let client: TxClient;
let pool: Pool;
let ds: AtDataSource;
const alerts: string[] = [];

const rows = async (sql: string, params: unknown[] = []) => (await pool.query<RowDataPacket[]>(sql, params))[0].map((r) => ({ ...r }));
const undoCount = async () => Number((await rows(`SELECT COUNT(*) n FROM \`${UNDO}\` WHERE log_status = 0`))[0]!.n);

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  pool = mysql.createPool({ ...db, database: 'silk_test', connectionLimit: 6 });
  await pool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  await pool.query(`CREATE TABLE \`${T}\` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32), qty INT, price DECIMAL(10,2), at DATETIME NULL)`);
  await pool.query(`CREATE TABLE \`${T2}\` (a INT, b INT, v VARCHAR(16), PRIMARY KEY (a, b))`);
  tc = new TransactionCoordinator({ db, tableSuffix: `_${sfx}`, leaseMs: 1500, recoveryIntervalMs: 200, log: quiet });
  await tc.start();
  client = new TxClient({
    applicationId: 'at-test',
    tc: [{ host: '127.0.0.1', port: tc.port }],
    log: (level, msg) => {
      if (level === 'error') alerts.push(msg);
    },
  });
  await client.start();
  ds = client.atDataSource(pool, { undoTable: UNDO, resourceId: `silk_test-${sfx}` });
  await ds.ensureUndoTable();
});

afterAll(async () => {
  client?.stop();
  await tc?.stop();
  if (pool) {
    for (const t of [T, T2, UNDO]) await pool.query(`DROP TABLE IF EXISTS \`${t}\``);
    const txPool = mysql.createPool({ ...db, connectionLimit: 1 });
    await dropTables(txPool, tableNames(`_${sfx}`));
    await txPool.end();
    await pool.end();
  }
});

describe('AT mode on mysql2', () => {
  it('undoes INSERT (auto-increment), UPDATE and DELETE of one branch in reverse order on rollback', async () => {
    await pool.query(`INSERT INTO \`${T}\` (id, name, qty, price, at) VALUES (1, 'a', 10, 1.50, '2026-01-02 03:04:05'), (2, 'b', 20, 2.00, NULL)`);
    const before = await rows(`SELECT * FROM \`${T}\` ORDER BY id`);
    const boom = new Error('business failure');
    await expect(
      client.globalTransaction(async () => {
        await ds.transaction(async (c) => {
          await c.query(`INSERT INTO \`${T}\` (name, qty, price) VALUES (?, ?, ?), ('d', 4, 4.00)`, ['c', 3, 3]);
          await c.query(`UPDATE \`${T}\` SET qty = qty + ?, at = NOW() WHERE name IN (?, ?)`, [5, 'a', 'c']);
          await c.query(`DELETE FROM \`${T}\` WHERE id = ?`, [2]);
        });
        expect(await undoCount()).toBe(1);
        throw boom;
      }, { name: 'at-forms' }),
    ).rejects.toBe(boom);
    expect(await rows(`SELECT * FROM \`${T}\` ORDER BY id`)).toEqual(before);
    expect(await undoCount()).toBe(0);
  });

  it('writes the undo_log in the documented JSON form and deletes it after commit', async () => {
    let xid = '';
    await client.globalTransaction(async () => {
      await ds.query(`UPDATE \`${T}\` SET qty = 11 WHERE id = ?`, [1]);
      const [u] = await rows(`SELECT xid, context, rollback_info, log_status FROM \`${UNDO}\``);
      xid = String(u!.xid);
      expect(u!.context).toBe('serializer=silk-json&compressorType=NONE');
      const info = JSON.parse(String(u!.rollback_info)) as { sqlUndoLogs: { sqlType: string; beforeImage: { rows: { fields: { name: string; keyType: string; value: string }[] }[] } }[] };
      expect(info.sqlUndoLogs[0]!.sqlType).toBe('UPDATE');
      expect(info.sqlUndoLogs[0]!.beforeImage.rows[0]!.fields).toContainEqual({ name: 'id', keyType: 'PRIMARY_KEY', type: 4, value: '1' });
    }, { name: 'undo-form' });
    expect(xid).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    await until(async () => (await undoCount()) === 0);
  });

  it('deletes the undo rows of branches committed together, and only theirs', async () => {
    // Four open global transactions, one branch each; phase two commits three of them at once
    // (the data source groups those deletes) and the fourth's undo row must stay.
    const [ins] = await pool.query<ResultSetHeader>(`INSERT INTO \`${T}\` (name, qty) VALUES ('g1', 1), ('g2', 2), ('g3', 3), ('g4', 4)`);
    const open: { xid: string; branchId: string }[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const { xid } = await client.tc.request('GlobalBegin', { name: 'grouped', timeoutMs: 60_000 });
        open.push({ xid, branchId: '' });
        await withContext({ xid }, () => ds.query(`UPDATE \`${T}\` SET qty = qty + 1 WHERE id = ?`, [ins.insertId + i]));
        const [u] = await rows(`SELECT CAST(branch_id AS CHAR) AS branch_id FROM \`${UNDO}\` WHERE xid = ?`, [xid]);
        open[i]!.branchId = String(u!.branch_id);
      }
      const statuses = await Promise.all(
        open.slice(0, 3).map((b) => ds.branchCommit({ ...b, branchType: 'AT', resourceId: ds.resourceId })),
      );
      expect(statuses).toEqual([BranchStatus.PhaseTwo_Committed, BranchStatus.PhaseTwo_Committed, BranchStatus.PhaseTwo_Committed]);
      expect((await rows(`SELECT xid FROM \`${UNDO}\` WHERE log_status = 0`)).map((r) => String(r.xid))).toEqual([open[3]!.xid]);
    } finally {
      // Ends all four at the TC (their locks go); the three committed above have no undo row
      // left, so their rollback keeps their writes, and the fourth is undone.
      for (const b of open) await client.tc.request('GlobalRollback', { xid: b.xid });
    }
    await until(async () => (await undoCount()) === 0);
  });

  it('handles composite primary keys', async () => {
    await pool.query(`INSERT INTO \`${T2}\` VALUES (1, 1, 'x'), (1, 2, 'y')`);
    await expect(
      client.globalTransaction(async () => {
        await ds.query(`UPDATE \`${T2}\` SET v = 'z' WHERE a = 1`);
        await ds.query(`INSERT INTO \`${T2}\` VALUES (2, 1, 'n')`);
        throw new Error('undo it');
      }, { name: 'composite' }),
    ).rejects.toThrow('undo it');
    expect(await rows(`SELECT * FROM \`${T2}\` ORDER BY a, b`)).toEqual([
      { a: 1, b: 1, v: 'x' },
      { a: 1, b: 2, v: 'y' },
    ]);
  });

  it('refuses unsupported SQL inside a branch and runs nothing', async () => {
    await expect(
      client.globalTransaction(() => ds.query(`UPDATE \`${T}\` SET qty = 0`), { name: 'refused' }),
    ).rejects.toMatchObject({ code: 'SILK_TX_UNSUPPORTED_SQL' });
    expect((await rows(`SELECT qty FROM \`${T}\` WHERE id = 1`))[0]!.qty).toBe(11);
  });

  it('stops a rollback that would overwrite a dirty write, with an alert, and leaves the row alone', async () => {
    const { xid } = await client.tc.request('GlobalBegin', { name: 'dirty', timeoutMs: 60_000 });
    await withContext({ xid }, () => ds.query(`UPDATE \`${T}\` SET qty = 50 WHERE id = ?`, [1]));
    // Someone outside any global transaction writes the same row.
    await pool.query(`UPDATE \`${T}\` SET qty = 77 WHERE id = 1`);
    const { status } = await client.tc.request('GlobalRollback', { xid });
    expect(status).toBe(GlobalStatus.RollbackFailed);
    expect((await rows(`SELECT qty FROM \`${T}\` WHERE id = 1`))[0]!.qty).toBe(77);
    expect(alerts.some((a) => a.includes('ALERT') && a.includes('changed outside the global transaction'))).toBe(true);
    // The row stays locked for the operator; clear it so the next tests can use it.
    await pool.query(`DELETE FROM \`${UNDO}\` WHERE xid = ?`, [xid]);
    await tc.store!.finish([{ xid, status: GlobalStatus.RollbackFailed }]);
  });

  it('SELECT ... FOR UPDATE fails on a row another global transaction holds', async () => {
    const a = await client.tc.request('GlobalBegin', { name: 'holder', timeoutMs: 60_000 });
    await withContext({ xid: a.xid }, () => ds.query(`UPDATE \`${T}\` SET qty = qty + 1 WHERE id = 1`));
    const conflict = client.globalTransaction(
      () => ds.transaction((c) => c.query(`SELECT * FROM \`${T}\` WHERE id = ? FOR UPDATE`, [1])),
      { name: 'reader' },
    );
    await expect(conflict).rejects.toMatchObject({ code: 'SILK_TX_LOCK_CONFLICT' });
    await client.tc.request('GlobalRollback', { xid: a.xid });
  });

  it('lists transactions with branches and locks on the admin port, and counts outcomes in /metrics', async () => {
    const { xid } = await client.tc.request('GlobalBegin', { name: 'listed', timeoutMs: 60_000 });
    await withContext({ xid }, () => ds.query(`UPDATE \`${T}\` SET qty = 5 WHERE id = 1`));
    const admin = (await (await fetch(`http://127.0.0.1:${tc.adminPort}/admin/transactions`)).json()) as {
      transactions: { xid: string; statusName: string; branches: { branchType: string }[]; locks: string[] }[];
    };
    const mine = admin.transactions.find((g) => g.xid === xid);
    expect(mine).toMatchObject({ statusName: 'Begin', branches: [{ branchType: 'AT' }] });
    expect(mine!.locks).toEqual([`silk_test-${sfx}^^^${T}^^^1`]);
    await client.tc.request('GlobalCommit', { xid });
    const metrics = await (await fetch(`http://127.0.0.1:${tc.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/silk_tx_global_begin_total \d+/);
    expect(metrics).toMatch(/silk_tx_global_end_total\{status="Rollbacked"\} [1-9]/);
    expect(metrics).toMatch(/silk_tx_branch_register_total\{branch_type="AT",result="ok"\} [1-9]/);
  });

  it('purges undo rows older than the save period (defense rows included), on demand and on its timer', async () => {
    const insert = (xid: string, status: number, daysAgo: number) =>
      pool.query(
        `INSERT INTO \`${UNDO}\` (branch_id, xid, context, rollback_info, log_status, log_created, log_modified)
         VALUES (?, ?, '', '', ?, NOW(6) - INTERVAL ? DAY, NOW(6))`,
        [Math.floor(Math.random() * 1e9), xid, status, daysAgo],
      );
    const xids = async () => (await rows(`SELECT xid FROM \`${UNDO}\` WHERE xid LIKE 'purge-%' ORDER BY xid`)).map((r) => String(r.xid));
    await insert('purge-old-defense', 1, 8);
    await insert('purge-old-normal', 0, 30);
    await insert('purge-recent-defense', 1, 1);
    expect(await ds.purgeUndoLogs(new Date(Date.now() - 7 * 86_400_000))).toBe(2);
    expect(await xids()).toEqual(['purge-recent-defense']);
    // The client's periodic task does the same with its own save period.
    const purging = new TxClient({ applicationId: 'at-purge', tc: [{ host: '127.0.0.1', port: tc.port }], undoLogSaveDays: 3, undoLogDeletePeriodMs: 200 });
    try {
      await purging.start();
      purging.atDataSource(pool, { undoTable: UNDO, resourceId: `silk_test-${sfx}` });
      await insert('purge-old-again', 1, 4);
      await until(async () => (await xids()).length === 1);
      expect(await xids()).toEqual(['purge-recent-defense']);
    } finally {
      purging.stop();
      await pool.query(`DELETE FROM \`${UNDO}\` WHERE xid LIKE 'purge-%'`);
    }
  });

  it('a second TC on the same database takes over the sessions of one that stopped', async () => {
    const second = new TransactionCoordinator({ db, tableSuffix: `_${sfx}`, leaseMs: 1500, recoveryIntervalMs: 200, log: quiet });
    await second.start();
    const other = new TxClient({ applicationId: 'at-test-2', tc: [{ host: '127.0.0.1', port: second.port }] });
    try {
      await other.start();
      other.atDataSource(pool, { undoTable: UNDO, resourceId: `silk_test-${sfx}` });
      // A transaction begun on the first TC, its branch done, then the first TC goes away.
      const { xid } = await client.tc.request('GlobalBegin', { name: 'orphan', timeoutMs: 1000 });
      await withContext({ xid }, () => ds.query(`UPDATE \`${T}\` SET qty = 999 WHERE id = 1`));
      client.stop();
      await tc.stop();
      await until(async () => (await rows(`SELECT qty FROM \`${T}\` WHERE id = 1`))[0]!.qty === 5);
      // The session is ended a moment after its last branch is undone (ends are grouped).
      await until(async () => (await second.store!.getGlobal(xid))?.status === GlobalStatus.TimeoutRollbacked);
      const s = await second.store!.getGlobal(xid);
      expect(s).toMatchObject({ status: GlobalStatus.TimeoutRollbacked, owner: second.owner });
    } finally {
      other.stop();
      await second.stop();
    }
  });
});

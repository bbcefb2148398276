/**
 * TCC with the fence against a real MariaDB and an in-process TC: confirm on commit, cancel
 * on rollback (both exactly once, even when the TC delivers twice), the empty rollback of a
 * branch whose try never ran, and the suspended try that arrives after it.
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentXid, withContext } from '@silk/platform-sdk/core';
import { BranchStatus, BranchType, FenceStatus, TccFence, tccFenceDdl, TccResourceManager, TxClient, type TccAction } from '@silk/platform-sdk/tx';
import { dropTables, tableNames } from './schema.js';
import { TransactionCoordinator } from './tc.js';

const sfx = `tcc${process.pid}`;
const ACCOUNT = `tcc_account_${sfx}`;
const FENCE = `tcc_fence_log_${sfx}`;
const db = { host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx' };

let tc: TransactionCoordinator;
let client: TxClient;
let pool: Pool;
let rm: TccResourceManager;
const calls: string[] = [];

// Seata's classic TCC account: try freezes, confirm spends the frozen money, cancel unfreezes.
const debit: TccAction<{ id: number; amount: number }> = {
  name: `debit-${sfx}`,
  async try({ params }, c) {
    calls.push('try');
    const [r] = await c.query<mysql.ResultSetHeader>(`UPDATE \`${ACCOUNT}\` SET balance = balance - ?, frozen = frozen + ? WHERE id = ? AND balance >= ?`, [
      params.amount,
      params.amount,
      params.id,
      params.amount,
    ]);
    if (r.affectedRows === 0) throw new Error('insufficient balance');
  },
  async confirm({ params }, c) {
    calls.push('confirm');
    await c.query(`UPDATE \`${ACCOUNT}\` SET frozen = frozen - ? WHERE id = ?`, [params.amount, params.id]);
  },
  async cancel({ params }, c) {
    calls.push('cancel');
    await c.query(`UPDATE \`${ACCOUNT}\` SET frozen = frozen - ?, balance = balance + ? WHERE id = ?`, [params.amount, params.amount, params.id]);
  },
};

const account = async () => {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT balance, frozen FROM \`${ACCOUNT}\` WHERE id = 1`);
  return { balance: Number(rows[0]!.balance), frozen: Number(rows[0]!.frozen) };
};
const fenceStatus = async (xid: string) => {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT status FROM \`${FENCE}\` WHERE xid = ?`, [xid]);
  return rows.map((r) => Number(r.status));
};

beforeAll(async () => {
  pool = mysql.createPool({ ...db, database: 'silk_account', connectionLimit: 4, supportBigNumbers: true, bigNumberStrings: true });
  await pool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  await pool.query(`CREATE TABLE \`${ACCOUNT}\` (id INT PRIMARY KEY, balance INT NOT NULL, frozen INT NOT NULL)`);
  await pool.query(`INSERT INTO \`${ACCOUNT}\` VALUES (1, 100, 0)`);
  await pool.query(tccFenceDdl(FENCE));
  tc = new TransactionCoordinator({ db, tableSuffix: `_${sfx}`, recoveryIntervalMs: 200, log: () => undefined });
  await tc.start();
  client = new TxClient({ applicationId: 'tcc-test', tc: [{ host: '127.0.0.1', port: tc.port }] });
  rm = new TccResourceManager(client.tc, new TccFence(pool, FENCE));
  client.addResourceManager(rm);
  rm.register(debit);
  await client.start();
});

afterAll(async () => {
  client?.stop();
  await tc?.stop();
  if (pool) {
    await pool.query(`DROP TABLE IF EXISTS \`${ACCOUNT}\``);
    await pool.query(`DROP TABLE IF EXISTS \`${FENCE}\``);
    const txPool = mysql.createPool({ ...db, connectionLimit: 1 });
    await dropTables(txPool, tableNames(`_${sfx}`));
    await txPool.end();
    await pool.end();
  }
});

describe('TCC with the fence', () => {
  it('confirms on commit, once even when the commit is delivered twice', async () => {
    calls.length = 0;
    let xid = '';
    await client.globalTransaction(async () => {
      xid = currentXid()!;
      await rm.invoke(debit.name, { id: 1, amount: 30 });
      expect(await account()).toEqual({ balance: 70, frozen: 30 });
    }, { name: 'tcc-commit' });
    expect(await account()).toEqual({ balance: 70, frozen: 0 });
    const [branch] = await pool.query<RowDataPacket[]>(`SELECT branch_id FROM \`${FENCE}\` WHERE xid = ?`, [xid]);
    const again = await rm.branchCommit({ xid, branchId: String(branch[0]!.branch_id), branchType: BranchType.TCC, resourceId: debit.name, applicationData: JSON.stringify({ params: { id: 1, amount: 30 } }) });
    expect(again).toBe(BranchStatus.PhaseTwo_Committed);
    expect(calls).toEqual(['try', 'confirm']);
    expect(await account()).toEqual({ balance: 70, frozen: 0 });
    expect(await fenceStatus(xid)).toEqual([FenceStatus.COMMITTED]);
  });

  it('cancels on rollback and leaves the money where it was', async () => {
    calls.length = 0;
    await expect(
      client.globalTransaction(async () => {
        await rm.invoke(debit.name, { id: 1, amount: 20 });
        throw new Error('order failed');
      }, { name: 'tcc-rollback' }),
    ).rejects.toThrow('order failed');
    expect(calls).toEqual(['try', 'cancel']);
    expect(await account()).toEqual({ balance: 70, frozen: 0 });
  });

  it('an empty rollback (no try) cancels nothing and suspends a late try', async () => {
    calls.length = 0;
    const { xid } = await client.tc.request('GlobalBegin', { name: 'tcc-empty', timeoutMs: 60_000 });
    const { branchId } = await client.tc.request('BranchRegister', { xid, branchType: BranchType.TCC, resourceId: debit.name, clientId: client.tc.clientId, applicationData: JSON.stringify({ params: { id: 1, amount: 5 } }) });
    // The TC rolls back before the try ran (the try's request is still in flight).
    await client.tc.request('GlobalRollback', { xid });
    expect(calls).toEqual([]);
    expect(await fenceStatus(xid)).toEqual([FenceStatus.SUSPENDED]);
    // The late try is refused by the fence and changes nothing.
    const fence = new TccFence(pool, FENCE);
    await expect(withContext({ xid }, () => fence.tryPhase(xid, branchId, debit.name, (c) => debit.try({ xid, branchId, actionName: debit.name, params: { id: 1, amount: 5 } }, c)))).rejects.toMatchObject({
      code: 'SILK_TX_NOT_ACTIVE',
    });
    expect(calls).toEqual([]);
    expect(await account()).toEqual({ balance: 70, frozen: 0 });
  });

  it('a failed try rolls the whole transaction back without a cancel of that branch', async () => {
    calls.length = 0;
    await expect(
      client.globalTransaction(() => rm.invoke(debit.name, { id: 1, amount: 1000 }), { name: 'tcc-insufficient' }),
    ).rejects.toThrow('insufficient balance');
    expect(calls).toEqual(['try']);
    expect(await account()).toEqual({ balance: 70, frozen: 0 });
  });
});

/**
 * TCC under faults, over real processes: the TC and a TCC participant (tcc-participant.ts) run
 * as children; the TM is this test. The participant is SIGKILLed after its try, before phase
 * two, and restarted; the TC must then deliver confirm or cancel to the new process, and the
 * fence must make each happen exactly once. Invariant after every run: nothing frozen, and
 * balance + spent equals the starting balance, spent counting only committed runs.
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceClient } from '@silk/platform-sdk/http';
import { currentXid } from '@silk/platform-sdk/core';
import { FenceStatus, tccFenceDdl, TxClient } from '@silk/platform-sdk/tx';
import { dropTables, tableNames } from '../schema.js';
import { spawnTs, TC_MAIN, TCC_PARTICIPANT, type Child } from './processes.js';

const suffix = `f${process.pid}`;
const ACCOUNT = `tcc_account_${suffix}`;
const FENCE = `tcc_fence_${suffix}`;
const tcTables = tableNames(`_${suffix}`);
const RUNS = Number(process.env.TX_FAULT_RUNS ?? 4);
const START = 1000;

let tc: Child;
let participant: Child;
let tcPort = 0;
let client: TxClient;
let http: ServiceClient;
let pool: Pool;
let txPool: Pool;

const startParticipant = () => spawnTs(TCC_PARTICIPANT, { SUFFIX: suffix, TC_ADDR: `127.0.0.1:${tcPort}` }, /READY (\d+)/);

async function account(): Promise<{ balance: number; frozen: number; spent: number }> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT balance, frozen, spent FROM \`${ACCOUNT}\` WHERE id = 1`);
  return { balance: Number(rows[0]!.balance), frozen: Number(rows[0]!.frozen), spent: Number(rows[0]!.spent) };
}

async function settled(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [g] = await txPool.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${tcTables.global}\` WHERE status NOT IN (9, 11, 13)`);
    const a = await account();
    if (Number(g[0]!.n) === 0 && a.frozen === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: open ${String(g[0]!.n)}, ${JSON.stringify(a)}\n${tc.output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  txPool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx', connectionLimit: 2 });
  await txPool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_account', connectionLimit: 2 });
  await pool.query(`CREATE TABLE IF NOT EXISTS \`${ACCOUNT}\` (id INT PRIMARY KEY, balance INT NOT NULL, frozen INT NOT NULL, spent INT NOT NULL)`);
  await pool.query(`REPLACE INTO \`${ACCOUNT}\` VALUES (1, ${START}, 0, 0)`);
  await pool.query(tccFenceDdl(FENCE));
  tc = await spawnTs(TC_MAIN, { TC_PORT: '0', TC_ADMIN_PORT: '0', TC_TABLE_SUFFIX: `_${suffix}`, TC_RECOVERY_INTERVAL_MS: '300' }, /TC READY (\d+) (\d+)/);
  tcPort = Number(tc.ready[0]);
  participant = await startParticipant();
  client = new TxClient({ applicationId: 'tcc-order-service', tc: [{ host: '127.0.0.1', port: tcPort }] });
  await client.start();
  http = new ServiceClient({ discovery: { choose: () => Promise.resolve({ ip: '127.0.0.1', port: Number(participant.ready[0]), metadata: {} }) }, timeoutMs: 10_000 });
});

afterAll(async () => {
  client?.stop();
  await Promise.all([tc?.kill('SIGTERM'), participant?.kill('SIGTERM')]);
  await http?.close();
  await pool?.query(`DROP TABLE IF EXISTS \`${ACCOUNT}\``).catch(() => undefined);
  await pool?.query(`DROP TABLE IF EXISTS \`${FENCE}\``).catch(() => undefined);
  await pool?.end();
  if (txPool) await dropTables(txPool, tcTables).catch(() => undefined);
  await txPool?.end();
});

describe('TCC with a participant killed between try and phase two', () => {
  it('confirms or cancels exactly once after the participant comes back', async () => {
    let committed = 0;
    for (let run = 0; run < RUNS; run++) {
      const commit = run % 2 === 0;
      const amount = 1 + run;
      let xid = '';
      const outcome = await client.tm
        .globalTransaction(
          async () => {
            xid = currentXid()!;
            const res = await http.call('http://account/freeze', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount }) });
            expect(res.status, await res.text()).toBe(200);
            expect((await account()).frozen).toBe(amount);
            await participant.kill('SIGKILL');
            if (!commit) throw new Error('decided to roll back after the kill');
          },
          { name: `tcc-fault-${run}`, timeoutMs: 30_000 },
        )
        .then(
          () => 'committed',
          (err: unknown) => (String(err).includes('decided to roll back') ? 'rolled back' : `failed: ${String(err)}`),
        );
      expect(outcome).toBe(commit ? 'committed' : 'rolled back');
      await new Promise((r) => setTimeout(r, Math.random() * 500));
      participant = await startParticipant();
      await settled();
      if (commit) committed += amount;
      const a = await account();
      expect(a).toEqual({ balance: START - committed, frozen: 0, spent: committed });
      const [fence] = await pool.query<RowDataPacket[]>(`SELECT status FROM \`${FENCE}\` WHERE xid = ?`, [xid]);
      expect(fence.map((r) => Number(r.status))).toEqual([commit ? FenceStatus.COMMITTED : FenceStatus.ROLLBACKED]);
    }
  });
});

/**
 * Sagas registered at the coordinator: each instance is the SAGA branch of a global
 * transaction. Success commits it; a failing step compensates and rolls it back; and when the
 * process running a saga is SIGKILLed mid-step, the coordinator's timeout rollback is
 * delivered to another process serving the same saga resource, which compensates the
 * instance — no one calls recover().
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlobalStatus, SagaResourceManager, TxClient } from '@silk/platform-sdk/tx';
import { dropTables, tableNames } from '../schema.js';
import { spawnTs, TC_MAIN, type Child } from './processes.js';
import { sagaEngine, sagaLog } from './saga-sample.js';
import { samplePool } from './schema.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sfx = `sagatc${process.pid}`;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'saga-tc-child.ts');
const tcTables = tableNames(`_${sfx}`);
let pool: Pool;
let txPool: Pool;
let tc: Child;
let tcAddr = '';
let client: TxClient;
const children: Child[] = [];

const logOf = async (order: string) =>
  (await pool.query<RowDataPacket[]>(`SELECT what FROM \`${sagaLog(sfx)}\` WHERE what LIKE ? ORDER BY id`, [`%:${order}%`]))[0].map((r) => String(r.what));

async function branchesOf(xid: string): Promise<string[]> {
  const [rows] = await txPool.query<RowDataPacket[]>(`SELECT branch_type, resource_id FROM \`${tcTables.branch}\` WHERE xid = ?`, [xid]);
  return rows.map((r) => `${String(r.branch_type)}:${String(r.resource_id)}`);
}

beforeAll(async () => {
  pool = samplePool('silk_order', 4);
  await pool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  txPool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx', connectionLimit: 2 });
  tc = await spawnTs(TC_MAIN, { TC_PORT: '0', TC_ADMIN_PORT: '0', TC_TABLE_SUFFIX: `_${sfx}`, TC_RECOVERY_INTERVAL_MS: '300' }, /TC READY (\d+) (\d+)/);
  tcAddr = `127.0.0.1:${tc.ready[0]}`;
  client = new TxClient({ applicationId: 'saga-test', tc: [{ host: '127.0.0.1', port: Number(tc.ready[0]) }] });
  await client.start();
});

afterAll(async () => {
  client?.stop();
  await Promise.all([tc?.kill('SIGTERM'), ...children.map((c) => c.kill('SIGKILL'))]);
  for (const t of [sagaLog(sfx), `saga_inst_${sfx}`, `saga_step_${sfx}`]) await pool?.query(`DROP TABLE IF EXISTS \`${t}\``);
  await pool?.end();
  if (txPool) await dropTables(txPool, tcTables).catch(() => undefined);
  await txPool?.end();
});

describe('sagas as branches at the coordinator', () => {
  it('commits the global transaction of a saga that ran to its end, with the instance as its SAGA branch', async () => {
    const engine = await sagaEngine(pool, sfx);
    const rm = new SagaResourceManager(client.tc, engine, `saga-ok-${sfx}`);
    client.addResourceManager(rm);
    const r = await rm.start(`place-order-saga-${sfx}`, { order: 'o-tc-ok' });
    const branches = await branchesOf(r.xid);
    expect(r).toMatchObject({ status: 'SU', globalStatus: 'Committed' });
    expect(await logOf('o-tc-ok')).toEqual(['do:step1:o-tc-ok', 'do:step2:o-tc-ok', 'do:step3:o-tc-ok']);
    // A finished session's branches are gone; its global status stays queryable.
    expect(branches).toEqual([]);
    expect((await client.tc.request('GlobalStatus', { xid: r.xid })).status).toBe(GlobalStatus.Committed);
  });

  it('rolls back the global transaction of a saga that compensated itself', async () => {
    const engine = await sagaEngine(pool, sfx, { failStep: 3 });
    const rm = new SagaResourceManager(client.tc, engine, `saga-fail-${sfx}`);
    client.addResourceManager(rm);
    const r = await rm.start(`place-order-saga-${sfx}`, { order: 'o-tc-fail' });
    expect(r).toMatchObject({ status: 'CD', globalStatus: 'Rollbacked' });
    // The coordinator's rollback found the instance compensated: each undo ran once.
    expect(await logOf('o-tc-fail')).toEqual(['do:step1:o-tc-fail', 'do:step2:o-tc-fail', 'undo:step3:o-tc-fail:unknown', 'undo:step2:o-tc-fail:known', 'undo:step1:o-tc-fail:known']);
  });

  it("compensates a killed process's saga through the coordinator's timeout rollback, in another process", async () => {
    const id = `tc-crash-${sfx}`;
    const runner = await spawnTs(CHILD, { MODE: 'run', SUFFIX: sfx, TC_ADDR: tcAddr, SAGA_ID: id }, /STEP 2 RUNNING/);
    children.push(runner);
    const [g] = await txPool.query<RowDataPacket[]>(`SELECT b.xid FROM \`${tcTables.branch}\` b WHERE b.application_data LIKE ?`, [`%${id}%`]);
    const xid = String(g[0]!.xid);
    expect(await branchesOf(xid)).toEqual([`SAGA:saga-${sfx}`]);
    await runner.kill('SIGKILL');
    const server = await spawnTs(CHILD, { MODE: 'serve', SUFFIX: sfx, TC_ADDR: tcAddr }, /SERVING/);
    children.push(server);
    await expect
      .poll(async () => (await client.tc.request('GlobalStatus', { xid })).status, { timeout: 30_000, interval: 300 })
      .toBe(GlobalStatus.TimeoutRollbacked);
    expect(await logOf('o-tc-crash')).toEqual(['do:step1:o-tc-crash', 'undo:step2:o-tc-crash:unknown', 'undo:step1:o-tc-crash:known']);
  });
});

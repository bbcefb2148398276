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
const RUNS = Number(process.env.TX_FAULT_RUNS ?? 4);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
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

  it('rolls back on timeout, and a late commit is refused', async () => {
    const before = await readSample(t);
    const late = orders.place({ userId: 'U1', code: 'C1', count: 1, money: 1 }, () => sleep(2500), 1500);
    await expect(late).rejects.toMatchObject({ code: 'SILK_TX_ROLLED_BACK' });
    const s = await expectConsistent();
    expect(s.orders).toBe(before.orders);
  });

  it('finishes phase two after a participant is killed between phase one and two', async () => {
    for (let run = 0; run < RUNS; run++) {
      const commit = Math.random() < 0.5;
      const outcome = orders
        .place({ userId: 'U1', code: 'C1', count: 1, money: 3 }, async () => {
          await account.kill('SIGKILL');
          if (!commit) throw new BusinessError('decided to roll back after the kill');
        })
        .then(
          () => 'committed',
          (err: unknown) => (err instanceof BusinessError ? 'rolled back' : `failed: ${String(err)}`),
        );
      expect(await outcome).toBe(commit ? 'committed' : 'rolled back');
      await sleep(Math.random() * 500);
      account = await startParticipant('account');
      await expectConsistent();
    }
  });

  it('resumes every unfinished transaction after the TC is killed mid-commit and restarted', async () => {
    for (let run = 0; run < RUNS; run++) {
      let restarted: Promise<void> | undefined;
      const outcome = await orders
        .place({ userId: 'U1', code: 'C1', count: 1, money: 2 }, () => {
          restarted = (async () => {
            await sleep(Math.random() * 15);
            await tc.kill('SIGKILL');
            await startTc(tcPort);
          })();
          return Promise.resolve();
        })
        .then(
          () => 'committed',
          (err: unknown) => String((err as { code?: string }).code ?? err),
        );
      await restarted;
      expect(['committed', 'SILK_TX_ROLLED_BACK', 'SILK_TX_TC_UNAVAILABLE']).toContain(outcome);
      await expectConsistent();
    }
  });

  it("stays consistent when the TC's database connections are cut mid-transaction", async () => {
    const killer = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk' });
    try {
      for (let run = 0; run < RUNS; run++) {
        const placing = Array.from({ length: 4 }, (_, i) =>
          // A short timeout: a begin whose reply the cut lost leaves a session only the TC's timeout
          // check ends, and the settle window below must outlast it.
          orders
            .place({ userId: 'U1', code: 'C1', count: 1, money: 1 }, i % 2 === 0 ? undefined : () => Promise.reject<void>(new BusinessError('rollback')), 5_000)
            .catch(() => undefined),
        );
        await sleep(Math.random() * 40);
        const [procs] = await killer.query<RowDataPacket[]>(
          `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = 'silk_tx' AND USER = 'silk' AND ID <> CONNECTION_ID()`,
        );
        for (const p of procs) await killer.query(`KILL ${Number(p.ID)}`).catch(() => undefined);
        expect(procs.length).toBeGreaterThan(0);
        await Promise.all(placing);
        await expectConsistent();
      }
    } finally {
      await killer.end();
    }
  });

  it('serialises many global transactions on the same rows with global locks: no lost update', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        orders
          .place({ userId: 'U1', code: 'C1', count: 1, money: 1 }, i % 3 === 0 ? () => Promise.reject<void>(new BusinessError('rollback')) : undefined)
          .then(
            () => 'committed',
            (err: unknown) => (err instanceof BusinessError ? 'rolled back' : String((err as { code?: string }).code)),
          ),
      ),
    );
    expect(results.filter((r) => r === 'committed').length).toBeGreaterThan(0);
    await expectConsistent();
  });
});

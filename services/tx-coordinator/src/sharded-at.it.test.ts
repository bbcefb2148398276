/**
 * AT across shards (issue #12): a global transaction writes through the ShardingDataSource to
 * two physical shard databases — each shard its own AT resource, adapted by `branchResource` —
 * and debits an account in another service (a participant process, over HTTP with TX_XID).
 * The TC runs as its own process. Checked: while the transaction is open, one branch per shard
 * touched plus the account's, each holding lock keys for exactly the rows it wrote; a failure
 * rolls all of it back, a success keeps all of it, over many randomized runs.
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchResource, parseShardingRuleYaml, ShardingDataSource } from '@silk/platform-sdk/datasource';
import { ServiceClient } from '@silk/platform-sdk/http';
import { currentXid } from '@silk/platform-sdk/core';
import { TxClient, undoLogDdl } from '@silk/platform-sdk/tx';
import { dropTables, tableNames } from './schema.js';
import { PARTICIPANT, spawnTs, TC_MAIN, type Child } from './sample/processes.js';
import { createSample, dropSample, readSample, sampleTables } from './sample/schema.js';

const suffix = `x${process.pid}`;
const T = `sorder_${suffix}`;
const UNDO = `undo_log_${suffix}`;
const RUNS = Number(process.env.TX_SHARD_RUNS ?? 12);
const MONEY = 10_000;
const sample = sampleTables(suffix);
const tcTables = tableNames(`_${suffix}`);
const resourceOf = (db: string) => `jdbc:mysql://127.0.0.1:3306/${db}`;
const SHARDS = ['silk_shard_0', 'silk_shard_1'] as const;

let tc: Child;
let account: Child;
let client: TxClient;
let http: ServiceClient;
let shardPools: Pool[];
let txPool: Pool;
let sharded: ShardingDataSource;

const pool = (database: string) => mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database, connectionLimit: 4 });

/** Every row of the logical table, read from both physical shards. */
async function allRows(): Promise<string[]> {
  const out: string[] = [];
  for (const [i, p] of shardPools.entries()) {
    const [rows] = await p.query<RowDataPacket[]>(`SELECT id, user_id, qty FROM \`${T}\` ORDER BY id`);
    for (const r of rows) out.push(`ds_${i}:${String(r.id)}:${String(r.user_id)}:${String(r.qty)}`);
  }
  return out.sort();
}

async function openState(): Promise<{ open: number; locks: number; undo: number }> {
  const [g] = await txPool.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${tcTables.global}\` WHERE status NOT IN (9, 11, 13)`);
  const [l] = await txPool.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${tcTables.lock}\``);
  let undo = 0;
  for (const p of shardPools) undo += Number((await p.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${UNDO}\``))[0][0]!.n);
  return { open: Number(g[0]!.n), locks: Number(l[0]!.n), undo: undo + (await readSample(sample)).undoRows };
}

async function settled(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await openState();
    if (s.open === 0 && s.locks === 0 && s.undo === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(s)}\n${tc.output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  txPool = pool('silk_tx');
  await txPool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  shardPools = SHARDS.map(pool);
  for (const p of shardPools) {
    await p.query(undoLogDdl(UNDO));
    await p.query(`CREATE TABLE IF NOT EXISTS \`${T}\` (id BIGINT PRIMARY KEY, user_id INT NOT NULL, qty INT NOT NULL)`);
  }
  await createSample(sample, 1000, MONEY);
  tc = await spawnTs(TC_MAIN, { TC_PORT: '0', TC_ADMIN_PORT: '0', TC_TABLE_SUFFIX: `_${suffix}`, TC_RECOVERY_INTERVAL_MS: '300' }, /TC READY (\d+) (\d+)/);
  const tcPort = Number(tc.ready[0]);
  account = await spawnTs(PARTICIPANT, { ROLE: 'account', SUFFIX: suffix, TC_ADDR: `127.0.0.1:${tcPort}` }, /READY (\d+)/);
  client = new TxClient({ applicationId: 'sharded-order-service', tc: [{ host: '127.0.0.1', port: tcPort }] });
  await client.start();
  sharded = new ShardingDataSource({
    rule: parseShardingRuleYaml(`
rules:
- !SHARDING
  tables:
    ${T}:
      actualDataNodes: ds_\${0..1}.${T}
      databaseStrategy: { standard: { shardingColumn: user_id, shardingAlgorithmName: by_user } }
  shardingAlgorithms:
    by_user: { type: MOD, props: { sharding-count: 2 } }
`),
    dataSources: shardPools.map((p, i) =>
      branchResource(`ds_${i}`, client.atDataSource(p, { undoTable: UNDO, resourceId: resourceOf(SHARDS[i]!) })),
    ),
  });
  const accountPort = Number(account.ready[0]);
  http = new ServiceClient({ discovery: { choose: () => Promise.resolve({ ip: '127.0.0.1', port: accountPort, metadata: {} }) }, timeoutMs: 10_000 });
}, 120_000);

afterAll(async () => {
  client?.stop();
  await Promise.all([tc?.kill('SIGTERM'), account?.kill('SIGTERM')]);
  await http?.close();
  for (const p of shardPools ?? []) {
    await p.query(`DROP TABLE IF EXISTS \`${T}\``).catch(() => undefined);
    await p.query(`DROP TABLE IF EXISTS \`${UNDO}\``).catch(() => undefined);
    await p.end();
  }
  await dropSample(sample).catch(() => undefined);
  if (txPool) await dropTables(txPool, tcTables).catch(() => undefined);
  await txPool?.end();
});

async function debit(money: number): Promise<void> {
  const res = await http.call('http://account/debit', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'U1', money }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`account answered ${res.status}: ${text}`);
}

describe('AT across shards and another service', () => {
  let nextId = 1;

  it('registers one branch per shard touched, with lock keys for exactly the rows each wrote', async () => {
    const ids = [nextId++, nextId++, nextId++];
    let seen: { resources: string[]; locks: string[] } | undefined;
    await client.tm.globalTransaction(
      async () => {
        await sharded.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${T} (id, user_id, qty) VALUES (?, ?, ?)`, [ids[0], 10, 1]); // shard 0
          await tx.query(`INSERT INTO ${T} (id, user_id, qty) VALUES (?, ?, ?)`, [ids[1], 11, 1]); // shard 1
          await tx.query(`INSERT INTO ${T} (id, user_id, qty) VALUES (?, ?, ?)`, [ids[2], 13, 1]); // shard 1
        });
        await debit(1);
        const xid = currentXid()!;
        const [b] = await txPool.query<RowDataPacket[]>(`SELECT resource_id FROM \`${tcTables.branch}\` WHERE xid = ? ORDER BY resource_id`, [xid]);
        const [l] = await txPool.query<RowDataPacket[]>(`SELECT row_key FROM \`${tcTables.lock}\` WHERE xid = ? ORDER BY row_key`, [xid]);
        seen = { resources: b.map((r) => String(r.resource_id)), locks: l.map((r) => String(r.row_key)) };
      },
      { name: 'sharded-insert', timeoutMs: 20_000 },
    );
    expect(seen?.resources).toEqual([`account-db-${suffix}`, resourceOf(SHARDS[0]), resourceOf(SHARDS[1])].sort());
    expect(seen?.locks).toEqual(
      [
        `${resourceOf(SHARDS[0])}^^^${T}^^^${ids[0]}`,
        `${resourceOf(SHARDS[1])}^^^${T}^^^${ids[1]}`,
        `${resourceOf(SHARDS[1])}^^^${T}^^^${ids[2]}`,
        `account-db-${suffix}^^^${sample.account}^^^1`,
      ].sort(),
    );
    await settled();
    expect((await allRows()).filter((r) => ids.some((id) => r.includes(`:${id}:`)))).toEqual(
      [`ds_0:${ids[0]}:10:1`, `ds_1:${ids[1]}:11:1`, `ds_1:${ids[2]}:13:1`].sort(),
    );
  });

  it('rolls every shard and the other service back on failure, keeps everything on success, over randomized runs', async () => {
    let committed = 0;
    for (let run = 0; run < RUNS; run++) {
      const before = await allRows();
      const moneyBefore = (await readSample(sample)).money;
      // A mix of inserts across both shards and updates of rows already there (undo restores them).
      const inserts = Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => ({ id: nextId++, user: Math.floor(Math.random() * 50) }));
      const existing = before.map((r) => r.split(':')).filter(() => Math.random() < 0.3);
      // Every other run fails, at a random point: in the sharded work, after all of phase one,
      // or in the other service.
      const fail = run % 2 === 1 ? (['business', 'after-debit', 'insufficient'] as const)[Math.floor(Math.random() * 3)] : undefined;
      const outcome = await client.tm
        .globalTransaction(
          async () => {
            await sharded.transaction(async (tx) => {
              for (const r of inserts) await tx.query(`INSERT INTO ${T} (id, user_id, qty) VALUES (?, ?, ?)`, [r.id, r.user, run]);
              for (const [, id, user] of existing) await tx.query(`UPDATE ${T} SET qty = qty + 100 WHERE user_id = ? AND id = ?`, [Number(user), Number(id)]);
              if (fail === 'business') throw new Error('business failure inside the sharded transaction');
            });
            await debit(fail === 'insufficient' ? MONEY * 10 : 1);
            if (fail === 'after-debit') throw new Error('business failure after every branch did phase one');
          },
          { name: `sharded-run-${run}`, timeoutMs: 20_000 },
        )
        .then(
          () => 'committed',
          () => 'rolled back',
        );
      await settled();
      const after = await allRows();
      const moneyAfter = (await readSample(sample)).money;
      if (fail) {
        expect(outcome, `run ${run} (${fail})`).toBe('rolled back');
        expect(after, `run ${run} (${fail}): shards changed`).toEqual(before);
        expect(moneyAfter, `run ${run} (${fail}): account changed`).toBe(moneyBefore);
      } else {
        expect(outcome, `run ${run}`).toBe('committed');
        committed++;
        const updated = new Set(existing.map((r) => r.join(':')));
        const expected = [
          ...before.map((r) => (updated.has(r) ? r.replace(/:(\d+)$/, (_, q: string) => `:${Number(q) + 100}`) : r)),
          ...inserts.map((r) => `ds_${r.user % 2}:${r.id}:${r.user}:${run}`),
        ].sort();
        expect(after, `run ${run}`).toEqual(expected);
        expect(moneyAfter).toBe(moneyBefore - 1);
      }
    }
    expect(committed).toBe(Math.ceil(RUNS / 2));
  });
});

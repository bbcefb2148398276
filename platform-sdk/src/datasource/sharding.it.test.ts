import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertReachable, seededRandom, stackPool } from './it-support.js';
import { poolResource } from './resource.js';
import { ShardingDataSource } from './sharding-data-source.js';
import { parseShardingRuleYaml } from './sharding-rule.js';

const T = `ord_${process.pid}`;
const REF = `ord_ref_${process.pid}`;
const SEED = Number(process.env.SILK_SHARDING_SEED ?? Date.now() % 100000);

const ruleYaml = (tableAlgorithm: string) => `
rules:
- !SHARDING
  tables:
    ${T}:
      actualDataNodes: ds_\${0..1}.${T}_\${0..1}
      databaseStrategy: { standard: { shardingColumn: user_id, shardingAlgorithmName: db_mod } }
      tableStrategy: { standard: { shardingColumn: order_id, shardingAlgorithmName: t_alg } }
  shardingAlgorithms:
    db_mod: { type: MOD, props: { sharding-count: 2 } }
    t_alg: ${tableAlgorithm}
`;
const HASH = '{ type: HASH_MOD, props: { sharding-count: 2 } }';

const DDL = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  order_id BIGINT PRIMARY KEY, user_id INT NOT NULL, status VARCHAR(16) NOT NULL,
  amount DECIMAL(10,2) NULL, qty INT NOT NULL, score DOUBLE NOT NULL, created_at DATETIME NOT NULL)`;

let shard0: mysql.Pool;
let shard1: mysql.Pool;
let ref: mysql.Pool;
let ds: ShardingDataSource;

beforeAll(async () => {
  shard0 = stackPool('silk_shard_0');
  shard1 = stackPool('silk_shard_1');
  ref = stackPool('silk_test');
  await assertReachable(shard0, 'MariaDB (silk_shard_0)');
  for (const [pool, i] of [[shard0, 0], [shard1, 1]] as const) {
    void i;
    await pool.query(DDL(`${T}_0`));
    await pool.query(DDL(`${T}_1`));
  }
  await ref.query(DDL(REF));
  ds = new ShardingDataSource({
    rule: parseShardingRuleYaml(ruleYaml(HASH)),
    dataSources: [poolResource('ds_0', shard0), poolResource('ds_1', shard1)],
  });
  // Generated rows, inserted through the router and, unchanged, into one plain table.
  const rnd = seededRandom(SEED);
  const statuses = ['NEW', 'paid', 'Shipped', 'cancelled'];
  const rows: unknown[][] = [];
  for (let id = 1; id <= 400; id++) {
    rows.push([
      id,
      1 + Math.floor(rnd() * 40),
      statuses[Math.floor(rnd() * statuses.length)],
      rnd() < 0.1 ? null : (Math.floor(rnd() * 100000) / 100).toFixed(2),
      Math.floor(rnd() * 20),
      Math.round(rnd() * 1e6) / 1e3,
      new Date(Date.UTC(2024, Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28), 10, 0, 0)),
    ]);
  }
  for (let i = 0; i < rows.length; i += 50) {
    const batch = rows.slice(i, i + 50);
    const values = batch.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
    const cols = '(order_id, user_id, status, amount, qty, score, created_at)';
    await ds.query(`INSERT INTO ${T} ${cols} VALUES ${values}`, batch.flat());
    await ref.query(`INSERT INTO ${REF} ${cols} VALUES ${values}`, batch.flat());
  }
}, 60_000);

afterAll(async () => {
  for (const pool of [shard0, shard1]) {
    await pool?.query(`DROP TABLE IF EXISTS ${T}_0, ${T}_1`);
  }
  await ref?.query(`DROP TABLE IF EXISTS ${REF}`);
  await Promise.all([shard0?.end(), shard1?.end(), ref?.end()]);
});

async function both(sql: string, params: unknown[] = []): Promise<{ sharded: unknown[]; plain: unknown[] }> {
  const [sharded] = await ds.query<unknown[]>(sql.replaceAll('$T', T), params);
  const [plain] = await ref.query(sql.replaceAll('$T', REF), params);
  return { sharded: sharded.map(normalise), plain: (plain as object[]).map(normalise) };
}

/**
 * DOUBLE sums and averages depend on the order of addition, which differs between one table
 * and merged shards: compare them to 12 significant digits. DECIMAL and integers stay exact.
 */
function normalise(row: unknown): unknown {
  return Object.fromEntries(
    Object.entries(row as object).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v]),
  );
}

const sortRows = (rows: unknown[]) => [...rows].map((r) => JSON.stringify(r)).sort();

describe(`sharded queries equal the same query on one unsharded table (seed ${SEED})`, () => {
  it('spreads the rows over all four physical tables', async () => {
    const counts = await Promise.all(
      [shard0, shard1].flatMap((p) => [0, 1].map(async (t) => ((await p.query(`SELECT COUNT(*) AS n FROM ${T}_${t}`))[0] as { n: number }[])[0]?.n)),
    );
    expect(counts.every((n) => (n ?? 0) > 50)).toBe(true);
    expect(counts.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(400);
  });

  const ordered = [
    'SELECT * FROM $T ORDER BY order_id',
    'SELECT order_id, amount FROM $T ORDER BY amount DESC, order_id LIMIT ?, ?',
    'SELECT order_id AS id, status FROM $T ORDER BY status, id DESC LIMIT ? OFFSET ?',
    'SELECT order_id FROM $T WHERE qty > ? ORDER BY score LIMIT ?',
    'SELECT order_id, created_at FROM $T ORDER BY created_at DESC, 1 LIMIT ?',
    'SELECT COUNT(*) AS n, SUM(amount) AS s, MIN(score), MAX(created_at), AVG(amount) AS a, AVG(qty) FROM $T WHERE qty < ?',
    'SELECT COUNT(amount), SUM(qty) FROM $T',
    'SELECT status, COUNT(*) AS n, SUM(amount) AS s, AVG(score) AS a, MAX(order_id) FROM $T GROUP BY status',
    'SELECT status, user_id, COUNT(*) FROM $T WHERE user_id < ? GROUP BY status, user_id ORDER BY COUNT(*) DESC, status, user_id LIMIT ?',
    'SELECT status, SUM(qty) AS q FROM $T GROUP BY status ORDER BY q DESC',
    'SELECT DISTINCT status FROM $T ORDER BY status',
    'SELECT * FROM $T WHERE user_id = ? ORDER BY order_id',
    'SELECT * FROM $T WHERE user_id IN (?, ?) AND order_id BETWEEN ? AND ? ORDER BY order_id',
    'SELECT COUNT(*) AS n FROM $T WHERE user_id = ? AND order_id = ?',
    'SELECT COUNT(*) AS n FROM $T WHERE order_id = 1 AND order_id = 2',
  ];
  const paramsFor = (sql: string, rnd: () => number): unknown[] => {
    const n = (sql.match(/\?/g) ?? []).length;
    const base = [1 + Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 40), Math.floor(rnd() * 150), 150 + Math.floor(rnd() * 250)];
    if (sql.includes('LIMIT ?, ?')) return [Math.floor(rnd() * 300), 1 + Math.floor(rnd() * 40)];
    if (sql.includes('LIMIT ? OFFSET ?')) return [1 + Math.floor(rnd() * 40), Math.floor(rnd() * 300)];
    if (sql.includes('qty > ?')) return [Math.floor(rnd() * 20), 1 + Math.floor(rnd() * 50)];
    if (sql.includes('user_id < ?')) return [Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 30)];
    if (sql.includes('qty < ?')) return [Math.floor(rnd() * 25)];
    if (sql.includes('user_id = ? AND order_id = ?')) return [1 + Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 400)];
    return base.slice(0, n).map((v, i) => (n === 1 && i === 0 ? v : v));
  };

  for (const sql of ordered) {
    it(sql, async () => {
      const rnd = seededRandom(SEED + sql.length);
      for (let run = 0; run < 8; run++) {
        const params = paramsFor(sql, rnd);
        const { sharded, plain } = await both(sql, params);
        const orderedResult = /ORDER BY|GROUP BY/.test(sql);
        if (orderedResult) expect(sharded, `params ${JSON.stringify(params)}`).toEqual(plain);
        else expect(sortRows(sharded), `params ${JSON.stringify(params)}`).toEqual(sortRows(plain));
      }
    });
  }

  it('plain scans without ORDER BY return the same multiset', async () => {
    const { sharded, plain } = await both('SELECT order_id, status FROM $T WHERE qty >= ?', [10]);
    expect(sortRows(sharded)).toEqual(sortRows(plain));
    expect(ds.route(`SELECT order_id FROM ${T} WHERE qty >= ?`, [10]).kind).toBe('merge');
  });

  it('keyless UPDATE and DELETE add up affected rows like one table', async () => {
    const a = await ds.query<{ affectedRows: number }>(`UPDATE ${T} SET qty = qty + 100 WHERE status = ?`, ['paid']);
    const [b] = await ref.query(`UPDATE ${REF} SET qty = qty + 100 WHERE status = ?`, ['paid']);
    expect(a[0].affectedRows).toBe((b as { affectedRows: number }).affectedRows);
    const { sharded, plain } = await both('SELECT SUM(qty) AS q FROM $T');
    expect(sharded).toEqual(plain);
  });
});

describe('transactions and rules', () => {
  it('commits on every shard it touched, or rolls all back', async () => {
    await expect(
      ds.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${T} (order_id, user_id, status, qty, score, created_at) VALUES (?, ?, 'tx', 0, 0, NOW())`, [1001, 1]);
        await tx.query(`INSERT INTO ${T} (order_id, user_id, status, qty, score, created_at) VALUES (?, ?, 'tx', 0, 0, NOW())`, [1002, 2]);
        expect(tx.dataSources.sort()).toEqual(['ds_0', 'ds_1']);
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    const [gone] = await ds.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${T} WHERE status = 'tx'`);
    expect(gone[0]?.n).toBe(0);
    await ds.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${T} (order_id, user_id, status, qty, score, created_at) VALUES (?, ?, 'tx', 0, 0, NOW())`, [1001, 1]);
      await tx.query(`INSERT INTO ${T} (order_id, user_id, status, qty, score, created_at) VALUES (?, ?, 'tx', 0, 0, NOW())`, [1002, 2]);
    });
    const [kept] = await ds.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${T} WHERE status = 'tx'`);
    expect(kept[0]?.n).toBe(2);
  });

  it('a rule change applies to new transactions only', async () => {
    const old = ds.rule;
    let inside = '';
    await ds.transaction(async (tx) => {
      // Table algorithm swapped mid-transaction: MOD with offset would send order_id 13 elsewhere.
      ds.setRule(parseShardingRuleYaml(ruleYaml("{ type: BOUNDARY_RANGE, props: { sharding-ranges: '1000000' } }")));
      const [rows] = await tx.query<{ order_id: number }[]>(`SELECT order_id FROM ${T} WHERE user_id = ? AND order_id = ?`, [1001 % 2, 1001]);
      inside = rows.map((r) => r.order_id).join();
    });
    expect(inside).toBe('1001');
    expect(ds.route(`SELECT * FROM ${T} WHERE user_id = 1 AND order_id = 1001`).kind).toBe('single');
    const u = ds.route(`SELECT * FROM ${T} WHERE user_id = 1 AND order_id = 1001`);
    expect(u.kind === 'single' && u.unit.sql).toContain(`${T}_0`);
    ds.setRule(old);
  });

  it('refuses what it cannot route before touching any shard', async () => {
    await expect(ds.query(`UPDATE ${T} SET user_id = 3 WHERE order_id = 5`)).rejects.toMatchObject({ code: 'SILK_SHARDING_UNSUPPORTED_SQL' });
    await expect(ds.query(`SELECT status, qty FROM ${T} GROUP BY status HAVING COUNT(*) > 1`)).rejects.toMatchObject({
      code: 'SILK_SHARDING_UNSUPPORTED_SQL',
    });
  });
});

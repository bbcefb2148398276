/**
 * What sharding costs a single-shard query: the same point SELECT by primary key run through
 * raw mysql2 on the physical table (baseline) and through ShardingDataSource on the logic
 * table (parse cached per SQL text, then route by the sharding values, rewrite from cache,
 * run), both on one-connection pools to the stack's MariaDB, awaited one after another so
 * the figure is latency. A third case times routing alone (no database) to show where the
 * difference comes from.
 */
import { host, mariadb } from '@silk/stack/config';
import { parseShardingRuleYaml, poolResource, ShardingDataSource, ShardingRouter } from '@silk/platform-sdk/datasource';
import mysql from 'mysql2/promise';
import { nsPerOp, type Benchmark } from '../harness.js';

const QUERIES = 2000;
const T = `bench_ord_${process.pid}`;
const SQL = `SELECT order_id, user_id, amount FROM ${T} WHERE user_id = ? AND order_id = ?`;
const rule = parseShardingRuleYaml(`
rules:
- !SHARDING
  tables:
    ${T}:
      actualDataNodes: ds_\${0..1}.${T}_\${0..1}
      databaseStrategy: { standard: { shardingColumn: user_id, shardingAlgorithmName: db_mod } }
      tableStrategy: { standard: { shardingColumn: order_id, shardingAlgorithmName: t_mod } }
  shardingAlgorithms:
    db_mod: { type: MOD, props: { sharding-count: 2 } }
    t_mod: { type: MOD, props: { sharding-count: 2 } }
`);

const pool = (database: string) =>
  mysql.createPool({ host, port: mariadb.port, user: mariadb.user, password: mariadb.password, database, connectionLimit: 1 });

let raw: mysql.Pool | undefined;
let shard0: mysql.Pool | undefined;
let shard1: mysql.Pool | undefined;
let ds: ShardingDataSource | undefined;
const router = new ShardingRouter(rule, { defaultDataSource: 'ds_0' });

// user_id 2, order_id 4 → ds_0, table _0: the raw baseline reads the same physical row.
const PARAMS = [2, 4];
const RAW_SQL = `SELECT order_id, user_id, amount FROM ${T}_0 WHERE user_id = ? AND order_id = ?`;

async function setup(): Promise<void> {
  shard0 = pool('silk_shard_0');
  shard1 = pool('silk_shard_1');
  raw = pool('silk_shard_0');
  for (const p of [shard0, shard1]) {
    for (const t of [0, 1]) {
      await p.query(`CREATE TABLE IF NOT EXISTS ${T}_${t} (order_id BIGINT PRIMARY KEY, user_id INT, amount DECIMAL(10,2))`);
    }
  }
  ds = new ShardingDataSource({ rule, dataSources: [poolResource('ds_0', shard0), poolResource('ds_1', shard1)] });
  await ds.query(`INSERT INTO ${T} (order_id, user_id, amount) VALUES (4, 2, 9.5)`);
  const [rows] = await raw.query(RAW_SQL, PARAMS);
  if ((rows as unknown[]).length !== 1) throw new Error('the routed insert did not land on the physical table the baseline reads');
}

async function teardown(): Promise<void> {
  for (const p of [shard0, shard1]) await p?.query(`DROP TABLE IF EXISTS ${T}_0, ${T}_1`);
  await Promise.all([raw?.end(), shard0?.end(), shard1?.end()]);
  raw = shard0 = shard1 = ds = undefined;
}

/**
 * The shared machine's noise swamps a few microseconds between two separate loops, so one
 * loop alternates raw and routed queries and times each kind: the baseline case runs it and
 * reports the raw time, the routed case reports the routed time of that same loop.
 */
let lastRoutedNs = Number.NaN;
async function pairedLoop(): Promise<{ 'ns/op': number }> {
  let rawNs = 0n;
  let routedNs = 0n;
  const rawQuery = async () => {
    const t = process.hrtime.bigint();
    await (raw as mysql.Pool).query(RAW_SQL, PARAMS);
    rawNs += process.hrtime.bigint() - t;
  };
  const routedQuery = async () => {
    const t = process.hrtime.bigint();
    await (ds as ShardingDataSource).query(SQL, PARAMS);
    routedNs += process.hrtime.bigint() - t;
  };
  // Which goes first alternates too, so neither always follows the other.
  for (let i = 0; i < QUERIES; i++) {
    if (i % 2 === 0) {
      await rawQuery();
      await routedQuery();
    } else {
      await routedQuery();
      await rawQuery();
    }
  }
  lastRoutedNs = Number(routedNs) / QUERIES;
  return { 'ns/op': Number(rawNs) / QUERIES };
}

const bench: Benchmark = {
  name: 'datasource-routing',
  description:
    `Latency of one point SELECT by sharding key (user_id, order_id), ${QUERIES} awaited queries of each kind per run, on one-connection pools ` +
    "to the stack's MariaDB, raw and routed queries alternating in one loop (both figures of a run come from the same loop): raw mysql2 on the " +
    'physical table (baseline) vs ShardingDataSource on the logic table; and routing alone ' +
    '(ShardingRouter.route on a cached plan, no database).',
  runs: 9,
  better: { 'ns/op': 'lower' },
  cases: [
    {
      name: 'raw mysql2 pool.query, physical table (baseline)',
      baseline: true,
      setup,
      run: () => pairedLoop(),
    },
    {
      name: 'ShardingDataSource.query, logic table',
      run: () => ({ 'ns/op': lastRoutedNs }),
    },
    {
      name: 'ShardingRouter.route only (no database)',
      run: () => nsPerOp(() => router.route(SQL, PARAMS), 200_000),
      teardown,
    },
  ],
  targets: ['routing overhead per single-shard query ≤ 5% of the raw mysql2 query'],
};

export default bench;

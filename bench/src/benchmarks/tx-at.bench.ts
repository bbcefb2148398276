/**
 * What a two-branch AT global transaction costs beside the same work without one. The work:
 * two local transactions, each updating one row by primary key in its own database
 * (silk_storage, silk_account). The global case wraps them in `globalTransaction`, so each
 * becomes an AT branch (before/after image, BranchRegister with its lock key at the TC,
 * undo_log row, local commit), then GlobalCommit; phase two (undo delete) runs after the
 * commit returns, as Seata's async commit does. The TC is a real child process
 * (services/tx-coordinator/src/main.ts) on the shared MariaDB; the calls are sequential, one
 * transaction at a time, and every iteration touches another row so no lock is waited for.
 *
 * Figures: transactions per second, and the median and p99 latency of one transaction.
 * The per-branch latency overhead is (global − plain) / 2. Beside them, what each
 * transaction costs MariaDB in durable writes (commits, and file syncs — fewer than commits
 * when concurrent commits share one), from the server's own counters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { repoRoot } from '@silk/stack/config';
import { TxClient, type AtDataSource } from '@silk/platform-sdk/tx';
import { median, percentile, type Benchmark, type Figures } from '../harness.js';

const ITERATIONS = 300;
/** Transactions in flight at once in the concurrent cases, as a service under load runs them. */
const CONCURRENCY = 8;
const ROWS = 500;
const sfx = `bench${process.pid}`;
const table = `bench_row_${sfx}`;
const undo = `undo_log_${sfx}`;

interface Env {
  tc: ChildProcess;
  client: TxClient;
  pools: Pool[];
  sources: AtDataSource[];
}

let env: Env | undefined;
let row = 0;

async function startTc(): Promise<{ tc: ChildProcess; port: number }> {
  const loader = pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const tc = spawn(process.execPath, ['--import', loader, join(repoRoot, 'services', 'tx-coordinator', 'src', 'main.ts')], {
    env: { ...process.env, TC_PORT: '0', TC_ADMIN_PORT: '0', TC_TABLE_SUFFIX: `_${sfx}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    tc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /TC READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    tc.once('exit', (code) => reject(new Error(`TC exited with ${code}: ${out}`)));
  });
  return { tc, port };
}

async function setup(): Promise<void> {
  if (env) return;
  const { tc, port } = await startTc();
  const client = new TxClient({ applicationId: 'bench', tc: [{ host: '127.0.0.1', port }] });
  await client.start();
  const pools = ['silk_storage', 'silk_account'].map((database) =>
    mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database, connectionLimit: CONCURRENCY + 2 }),
  );
  const sources: AtDataSource[] = [];
  for (const [i, pool] of pools.entries()) {
    await pool.query(`CREATE TABLE IF NOT EXISTS \`${table}\` (id INT PRIMARY KEY, v BIGINT NOT NULL)`);
    await pool.query(`INSERT IGNORE INTO \`${table}\` VALUES ${Array.from({ length: ROWS }, (_, r) => `(${r + 1}, 0)`).join(',')}`);
    const ds = client.atDataSource(pool, { undoTable: undo, resourceId: `bench-${i}-${sfx}` });
    await ds.ensureUndoTable();
    sources.push(ds);
  }
  env = { tc, client, pools, sources };
}

async function teardown(): Promise<void> {
  if (!env) return;
  const e = env;
  env = undefined;
  e.client.stop();
  for (const p of e.pools) {
    await p.query(`DROP TABLE IF EXISTS \`${table}\``);
    await p.query(`DROP TABLE IF EXISTS \`${undo}\``);
    await p.end();
  }
  e.tc.kill('SIGTERM');
  await new Promise((r) => e.tc.once('exit', r));
  const tx = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx' });
  for (const t of ['global_table', 'branch_table', 'lock_table']) await tx.query(`DROP TABLE IF EXISTS \`${t}_${sfx}\``);
  await tx.end();
}

async function work(): Promise<void> {
  const id = (row++ % ROWS) + 1;
  for (const ds of env!.sources) await ds.transaction((c) => c.query(`UPDATE \`${table}\` SET v = v + 1 WHERE id = ?`, [id]));
}

/**
 * MariaDB's server-wide counters: transactions committed with a write (Binlog_commits) and
 * file syncs (Innodb_data_fsyncs; with innodb_flush_log_at_trx_commit=1 each durable commit
 * group costs one). Durable writes are what a global transaction adds, so their count per
 * transaction explains its latency better than statement counts. Other work on the server
 * (an idle TC's recovery loop reads only) would inflate them; the bench runs alone.
 */
async function serverCounters(): Promise<{ commits: number; fsyncs: number }> {
  const [rows] = await env!.pools[0]!.query<RowDataPacket[]>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Binlog_commits', 'Innodb_data_fsyncs')",
  );
  const get = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? NaN);
  return { commits: get('Binlog_commits'), fsyncs: get('Innodb_data_fsyncs') };
}

/** `workers` loops share ITERATIONS transactions; each touches its own row, so none waits on a lock. */
async function measure(one: () => Promise<void>, workers = 1): Promise<Figures> {
  for (let i = 0; i < 20; i++) await one();
  // Phase two of the warm-up's global transactions runs after their commits return.
  await new Promise((r) => setTimeout(r, 200));
  const before = await serverCounters();
  const lat: number[] = [];
  let left = ITERATIONS;
  const start = performance.now();
  const loop = async () => {
    while (left-- > 0) {
      const t = performance.now();
      await one();
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  const total = performance.now() - start;
  // Counted once phase two of the last transactions has run too: it is part of their cost.
  await new Promise((r) => setTimeout(r, 200));
  const after = await serverCounters();
  return {
    'tx/s': (ITERATIONS * 1000) / total,
    'p50 ms': median(lat),
    'p99 ms': percentile(lat, 99),
    'commits/tx': (after.commits - before.commits) / ITERATIONS,
    'fsyncs/tx': (after.fsyncs - before.fsyncs) / ITERATIONS,
  };
}

const global = (workers: number) => () =>
  measure(() => env!.client.globalTransaction(work, { name: 'bench', timeoutMs: 30_000 }), workers);

const bench: Benchmark = {
  name: 'tx-at',
  description: 'two-branch AT global transaction vs the same two local transactions',
  runs: 5,
  better: { 'tx/s': 'higher', 'p50 ms': 'lower', 'p99 ms': 'lower', 'commits/tx': 'lower', 'fsyncs/tx': 'lower' },
  targets: [
    'global transaction ≥ 0.5× the plain work in tx/s (costs at most 2×), sequential and concurrent (compare each global case with the plain case of the same concurrency); per-branch overhead = (global p50 − plain p50) / 2',
  ],
  cases: [
    { name: 'two local transactions, no global transaction', baseline: true, setup, run: () => measure(work) },
    { name: 'two AT branches in one global transaction', setup, run: global(1) },
    { name: `two local transactions, ${CONCURRENCY} at once`, setup, run: () => measure(work, CONCURRENCY) },
    { name: `two AT branches in one global transaction, ${CONCURRENCY} at once`, setup, teardown, run: global(CONCURRENCY) },
  ],
};

export default bench;

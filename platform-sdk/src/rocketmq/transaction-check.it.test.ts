/**
 * A transactional message whose producer dies between the half message and its commit: a real
 * child process sends two half messages, writes the business row for one of them, and is killed
 * with SIGKILL before ending either transaction. The broker then asks a producer of the topic;
 * a fresh one here answers from the database (row present → COMMIT, absent → ROLLBACK). Only
 * the committed order's message reaches the consumer.
 *
 * The broker checks half messages older than transactionTimeOut (6 s) every
 * transactionCheckInterval (30 s), so this takes up to about 40 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedMessage } from './index.js';
import { groupName, messagingSuite, proxy, run, sleep, testDatabase, topic, until } from './it-support.js';

const txTopic = topic('txcheck', 'TRANSACTION');
const group = { name: groupName('txcheck') };
const table = `silk_tx_orders_${process.pid}`;
const db = testDatabase(() => [table]);
const suite = messagingSuite({ topics: [txTopic], groups: [group], producer: false });
let pool: Pool;
let child: ChildProcess | undefined;

beforeAll(async () => {
  pool = db.pool;
  await pool.query(`CREATE TABLE IF NOT EXISTS \`${table}\` (id VARCHAR(128) PRIMARY KEY)`);
});

afterAll(() => {
  child?.kill('SIGKILL');
});

/** Runs the producer process until it printed every half message, then SIGKILLs it. */
async function halfMessagesThenKill(orderIds: string[]): Promise<Map<string, string>> {
  const script = fileURLToPath(new URL('./fixtures/tx-producer.ts', import.meta.url));
  child = spawn(process.execPath, ['--import', 'tsx', script, proxy, txTopic.name, table, ...orderIds], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const halves = new Map<string, string>();
  await until(
    () => {
      for (const m of out.matchAll(/^HALF (\S+) (\S+)$/gm)) halves.set(m[1]!, m[2]!);
      return halves.size === orderIds.length || child?.exitCode !== null;
    },
    60_000,
    'the producer process to send its half messages',
  );
  if (halves.size !== orderIds.length) throw new Error(`producer process exited early:\n${out}`);
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return halves;
}

describe('transaction check after the producer process is killed', () => {
  it('commits the half message whose local transaction happened and rolls back the other', async () => {
    const received: ReceivedMessage[] = [];
    await suite.consumer({
      consumerGroup: group.name,
      subscriptions: [{ topic: txTopic.name }],
      handler: (m) => {
        received.push(m);
        return Promise.resolve();
      },
    });
    const committed = `commit-${run}`;
    const rolledBack = `rollback-${run}`;
    const halves = await halfMessagesThenKill([committed, rolledBack]);

    // Nothing is delivered while the transactions are open.
    await sleep(3000);
    expect(received).toEqual([]);

    const checked: string[] = [];
    await suite.producer({
      transactionChecker: async (m) => {
        checked.push(m.keys[0]!);
        const [rows] = await pool.query<RowDataPacket[]>(`SELECT 1 FROM \`${table}\` WHERE id = ?`, [
          m.keys[0],
        ]);
        return rows.length > 0 ? 'COMMIT' : 'ROLLBACK';
      },
    });
    await until(() => received.length >= 1, 100_000, 'the checker to commit the half message');
    await until(() => checked.includes(rolledBack), 60_000, 'the check of the other half message');
    await sleep(3000);
    expect(received.map((m) => m.keys[0])).toEqual([committed]);
    expect(received[0]!.messageId).toBe(halves.get(committed));
    expect(checked).toEqual(expect.arrayContaining([committed, rolledBack]));
  }, 200_000);
});

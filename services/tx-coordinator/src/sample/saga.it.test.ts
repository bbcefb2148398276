/**
 * Saga on a real MariaDB: steps run in order, a failing step compensates the done ones in
 * reverse, and an instance whose process was SIGKILLed mid-step is compensated by recovery
 * in another process.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sagaEngine, sagaLog } from './saga-sample.js';
import { samplePool } from './schema.js';
import { spawnTs } from './processes.js';

const sfx = `saga${process.pid}`;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'saga-child.ts');
let pool: Pool;

const logOf = async (order: string) =>
  (await pool.query<RowDataPacket[]>(`SELECT what FROM \`${sagaLog(sfx)}\` WHERE what LIKE ? ORDER BY id`, [`%:${order}%`]))[0].map((r) => String(r.what));

beforeAll(async () => {
  pool = samplePool('silk_order', 4);
  await pool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
});

afterAll(async () => {
  for (const t of [sagaLog(sfx), `saga_inst_${sfx}`, `saga_step_${sfx}`]) await pool.query(`DROP TABLE IF EXISTS \`${t}\``);
  await pool.end();
});

describe('saga', () => {
  it('runs every step in order when all succeed', async () => {
    const engine = await sagaEngine(pool, sfx);
    const r = await engine.start(`place-order-saga-${sfx}`, { order: 'o-ok' });
    expect(r.status).toBe('SU');
    expect(await logOf('o-ok')).toEqual(['do:step1:o-ok', 'do:step2:o-ok', 'do:step3:o-ok']);
  });

  it('compensates the done steps in reverse order when a step fails', async () => {
    const engine = await sagaEngine(pool, sfx, { failStep: 3 });
    const r = await engine.start(`place-order-saga-${sfx}`, { order: 'o-fail' });
    expect(r.status).toBe('CD');
    expect(await logOf('o-fail')).toEqual([
      'do:step1:o-fail',
      'do:step2:o-fail',
      'undo:step3:o-fail:unknown',
      'undo:step2:o-fail:known',
      'undo:step1:o-fail:known',
    ]);
    expect((await engine.status(r.id)).steps.map((s) => s.status)).toEqual(['CO', 'CO', 'CO']);
  });

  it('resumes an instance whose process was killed mid-step and compensates it in reverse', async () => {
    const id = `crash-${sfx}`;
    const child = await spawnTs(CHILD, { SUFFIX: sfx, SAGA_ID: id }, /STEP 2 RUNNING/);
    await child.kill('SIGKILL');
    const engine = await sagaEngine(pool, sfx);
    expect((await engine.status(id)).status).toBe('RU');
    expect(await engine.recover()).toEqual([{ id, status: 'CD' }]);
    expect(await logOf('o-crash')).toEqual(['do:step1:o-crash', 'undo:step2:o-crash:unknown', 'undo:step1:o-crash:known']);
    expect(await engine.recover()).toEqual([]);
  });
});

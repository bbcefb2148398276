/**
 * A three-step saga for tests: each action and compensation appends to a log table, so the
 * test can read what ran and in which order. `slowStep` makes that step hang (the child
 * process is killed there); `failStep` makes it throw.
 */
import type { Pool } from 'mysql2/promise';
import { SagaEngine, type SagaDefinition } from '@silk/platform-sdk/tx';

export const sagaLog = (sfx: string) => `saga_log_${sfx}`;

export function sampleSaga(pool: Pool, sfx: string, opts: { slowStep?: number; failStep?: number } = {}): SagaDefinition<{ order: string }> {
  const log = (what: string) => pool.query(`INSERT INTO \`${sagaLog(sfx)}\` (what) VALUES (?)`, [what]);
  return {
    name: `place-order-saga-${sfx}`,
    steps: [1, 2, 3].map((n) => ({
      name: `step${n}`,
      action: async (input) => {
        if (n === opts.slowStep) {
          console.log(`STEP ${n} RUNNING`);
          await new Promise((r) => setTimeout(r, 120_000));
        }
        if (n === opts.failStep) throw new Error(`step${n} failed`);
        await log(`do:step${n}:${input.order}`);
        return { done: n };
      },
      compensate: async (input, output) => {
        await log(`undo:step${n}:${input.order}:${output === undefined ? 'unknown' : 'known'}`);
      },
    })),
  };
}

export async function sagaEngine(pool: Pool, sfx: string, opts: { slowStep?: number; failStep?: number } = {}): Promise<SagaEngine> {
  await pool.query(`CREATE TABLE IF NOT EXISTS \`${sagaLog(sfx)}\` (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(128))`);
  const engine = new SagaEngine(pool, `_${sfx}`);
  await engine.ensureTables();
  engine.define(sampleSaga(pool, sfx, opts));
  return engine;
}

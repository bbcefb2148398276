/**
 * Saga: a sequence of steps, each with a compensation, persisted step by step in the
 * participant's database so a crash loses nothing (the idea of Seata's state-machine engine
 * and its seata_state_machine_inst / seata_state_inst tables, reduced to a linear sequence).
 *
 *   saga_inst(id, name, status, input, gmt_started, gmt_updated)
 *       status: RU running, SU succeeded, CO compensating, CD compensated, CF compensation failed
 *   saga_step(inst_id, idx, name, status, output, gmt_updated)
 *       status: RU running, SU succeeded, CO compensated
 *
 * A step is marked RU before its action runs and SU after, so after a crash a step in RU may
 * or may not have happened: recovery compensates it too, in reverse order with the done
 * ones — compensations must therefore tolerate an action that never ran (Seata's rule for
 * compensation states as well).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { TxBadRequestError } from '../errors.js';

export interface SagaStep<I> {
  name: string;
  action(input: I, stepOutputs: Record<string, unknown>): Promise<unknown>;
  /** Undo of `action`; gets the action's output when it finished, undefined when unknown. */
  compensate(input: I, output: unknown): Promise<void>;
}

export interface SagaDefinition<I> {
  name: string;
  steps: SagaStep<I>[];
}

export type SagaStatus = 'SU' | 'CD' | 'CF';

export class SagaEngine {
  private readonly defs = new Map<string, SagaDefinition<unknown>>();
  private readonly running = new Set<string>();
  private readonly inst: string;
  private readonly step: string;

  constructor(
    private readonly pool: Pool,
    tableSuffix = '',
  ) {
    this.inst = `saga_inst${tableSuffix}`;
    this.step = `saga_step${tableSuffix}`;
  }

  async ensureTables(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS \`${this.inst}\` (id VARCHAR(64) PRIMARY KEY, name VARCHAR(128) NOT NULL,
      status CHAR(2) NOT NULL, input TEXT, gmt_started DATETIME(3) NOT NULL, gmt_updated DATETIME(3) NOT NULL, KEY idx_status (status))`);
    await this.pool.query(`CREATE TABLE IF NOT EXISTS \`${this.step}\` (inst_id VARCHAR(64) NOT NULL, idx INT NOT NULL, name VARCHAR(128) NOT NULL,
      status CHAR(2) NOT NULL, output TEXT, gmt_updated DATETIME(3) NOT NULL, PRIMARY KEY (inst_id, idx))`);
  }

  define<I>(def: SagaDefinition<I>): void {
    this.defs.set(def.name, def);
  }

  /** Runs a new instance to the end: SU when every step succeeded, else compensated. */
  async start<I>(name: string, input: I, id: string = randomUUID()): Promise<{ id: string; status: SagaStatus; error?: unknown }> {
    this.def(name);
    await this.pool.query(`INSERT INTO \`${this.inst}\` VALUES (?, ?, 'RU', ?, NOW(3), NOW(3))`, [id, name, JSON.stringify(input)]);
    return this.run(id, name, input);
  }

  /** After a crash: every instance left running or compensating is compensated. */
  async recover(): Promise<{ id: string; status: SagaStatus }[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT id, name, input FROM \`${this.inst}\` WHERE status IN ('RU', 'CO')`);
    const out = [];
    for (const r of rows) {
      if (!this.defs.has(String(r.name))) continue; // another service's saga
      const status = await this.compensate(String(r.id), this.def(String(r.name)), JSON.parse(String(r.input)) as unknown);
      out.push({ id: String(r.id), status });
    }
    return out;
  }

  /** Instances this process is running now (a coordinator's rollback must wait for them). */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /**
   * Compensates one instance, whatever state it was left in (the coordinator's rollback of a
   * saga branch): done steps in reverse, a step left running too. An instance never written
   * (its process died before the first insert) had nothing to undo.
   */
  async compensateInstance(id: string): Promise<SagaStatus> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT name, status, input FROM \`${this.inst}\` WHERE id = ?`, [id]);
    const r = rows[0];
    if (!r || r.status === 'CD') return 'CD';
    return this.compensate(id, this.def(String(r.name)), JSON.parse(String(r.input)) as unknown);
  }

  async status(id: string): Promise<{ status: string; steps: { name: string; status: string }[] }> {
    const [i] = await this.pool.query<RowDataPacket[]>(`SELECT status FROM \`${this.inst}\` WHERE id = ?`, [id]);
    const [s] = await this.pool.query<RowDataPacket[]>(`SELECT name, status FROM \`${this.step}\` WHERE inst_id = ? ORDER BY idx`, [id]);
    return { status: String(i[0]?.status), steps: s.map((r) => ({ name: String(r.name), status: String(r.status) })) };
  }

  private def(name: string): SagaDefinition<unknown> {
    const d = this.defs.get(name);
    if (!d) throw new TxBadRequestError(`no saga named ${name} is defined in this process`, name);
    return d;
  }

  private async run(id: string, name: string, input: unknown): Promise<{ id: string; status: SagaStatus; error?: unknown }> {
    this.running.add(id);
    try {
      return await this.runSteps(id, name, input);
    } finally {
      this.running.delete(id);
    }
  }

  private async runSteps(id: string, name: string, input: unknown): Promise<{ id: string; status: SagaStatus; error?: unknown }> {
    const def = this.def(name);
    const outputs: Record<string, unknown> = {};
    for (const [idx, step] of def.steps.entries()) {
      await this.pool.query(`INSERT INTO \`${this.step}\` VALUES (?, ?, ?, 'RU', NULL, NOW(3))`, [id, idx, step.name]);
      try {
        outputs[step.name] = await step.action(input, outputs);
      } catch (error) {
        return { id, status: await this.compensate(id, def, input), error };
      }
      await this.pool.query(`UPDATE \`${this.step}\` SET status = 'SU', output = ?, gmt_updated = NOW(3) WHERE inst_id = ? AND idx = ?`, [
        JSON.stringify(outputs[step.name] ?? null),
        id,
        idx,
      ]);
    }
    await this.setStatus(id, 'SU');
    return { id, status: 'SU' };
  }

  private async compensate(id: string, def: SagaDefinition<unknown>, input: unknown): Promise<SagaStatus> {
    await this.setStatus(id, 'CO');
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT idx, status, output FROM \`${this.step}\` WHERE inst_id = ? AND status IN ('RU', 'SU') ORDER BY idx DESC`,
      [id],
    );
    for (const r of rows) {
      const step = def.steps[Number(r.idx)];
      if (!step) continue;
      const output = r.status === 'SU' && r.output !== null ? (JSON.parse(String(r.output)) as unknown) : undefined;
      try {
        await step.compensate(input, output);
      } catch {
        await this.setStatus(id, 'CF'); // left for recovery or an operator; later steps stay compensated
        return 'CF';
      }
      await this.pool.query(`UPDATE \`${this.step}\` SET status = 'CO', gmt_updated = NOW(3) WHERE inst_id = ? AND idx = ?`, [id, r.idx]);
    }
    await this.setStatus(id, 'CD');
    return 'CD';
  }

  private async setStatus(id: string, status: string): Promise<void> {
    await this.pool.query(`UPDATE \`${this.inst}\` SET status = ?, gmt_updated = NOW(3) WHERE id = ?`, [status, id]);
  }
}

/**
 * A saga as a branch of a global transaction at the coordinator (Seata's Saga mode: the
 * state-machine engine begins a global transaction and its instance is a SAGA branch). The
 * coordinator then owns the outcome: when the process running a saga dies, the transaction
 * times out and the coordinator orders a BranchRollback, delivered to whichever process now
 * serves this resource id, which compensates the instance from its persisted steps. No
 * `recover()` call is needed; nothing depends on the dead process coming back.
 */
import { randomUUID } from 'node:crypto';
import { withContext } from '../../core/index.js';
import { BranchStatus, BranchType, globalStatusName } from '../model.js';
import type { BranchPhaseTwo } from '../protocol.js';
import type { ResourceManager, TcClient } from '../tc-client.js';
import type { SagaEngine, SagaStatus } from './saga-engine.js';

export interface SagaRunResult {
  id: string;
  xid: string;
  status: SagaStatus;
  /** What the coordinator recorded for the global transaction. */
  globalStatus: string;
  error?: unknown;
}

export class SagaResourceManager implements ResourceManager {
  readonly branchType = BranchType.SAGA;

  constructor(
    private readonly tc: TcClient,
    private readonly engine: SagaEngine,
    /** The id the coordinator routes this process's saga branches by; the same in every process that runs these sagas. */
    readonly resourceId: string,
    private readonly applicationId = 'saga',
  ) {}

  resourceIds(): string[] {
    return [this.resourceId];
  }

  /** Begins a global transaction, registers the instance as its SAGA branch, runs it, then commits or rolls back. */
  async start<I>(name: string, input: I, opts: { timeoutMs?: number; id?: string } = {}): Promise<SagaRunResult> {
    const id = opts.id ?? randomUUID();
    const { xid } = await this.tc.request('GlobalBegin', { name: `saga:${name}`, timeoutMs: opts.timeoutMs ?? 60_000, applicationId: this.applicationId });
    await this.tc.request('BranchRegister', {
      xid,
      branchType: BranchType.SAGA,
      resourceId: this.resourceId,
      clientId: this.tc.clientId,
      applicationData: JSON.stringify({ instanceId: id, saga: name }),
    });
    const run = await withContext({ xid }, () => this.engine.start(name, input, id));
    // A saga that compensated itself asks for the rollback, which then finds nothing to undo.
    const { status } = await this.tc.request(run.status === 'SU' ? 'GlobalCommit' : 'GlobalRollback', { xid });
    return { ...run, xid, globalStatus: globalStatusName(status) };
  }

  /** Forward: the instance ran to its end before the commit was asked for; nothing is left to do. */
  branchCommit(): Promise<BranchStatus> {
    return Promise.resolve(BranchStatus.PhaseTwo_Committed);
  }

  async branchRollback(req: BranchPhaseTwo): Promise<BranchStatus> {
    const instanceId = instanceOf(req);
    if (instanceId === undefined) return BranchStatus.PhaseTwo_Rollbacked; // registered without an instance: nothing ran
    // Still running here: compensating under it would race its steps; the coordinator retries.
    if (this.engine.isRunning(instanceId)) return BranchStatus.PhaseTwo_RollbackFailed_Retryable;
    try {
      const s = await this.engine.compensateInstance(instanceId);
      return s === 'CD' ? BranchStatus.PhaseTwo_Rollbacked : BranchStatus.PhaseTwo_RollbackFailed_Retryable;
    } catch {
      return BranchStatus.PhaseTwo_RollbackFailed_Retryable;
    }
  }
}

function instanceOf(req: BranchPhaseTwo): string | undefined {
  try {
    const data = JSON.parse(req.applicationData ?? '{}') as { instanceId?: unknown };
    return typeof data.instanceId === 'string' ? data.instanceId : undefined;
  } catch {
    return undefined;
  }
}

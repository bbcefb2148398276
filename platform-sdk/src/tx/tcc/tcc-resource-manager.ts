/**
 * TCC participants (Seata's TCCResourceManager + @TwoPhaseBusinessAction with useTCCFence):
 * `invoke` registers a TCC branch (resourceId = the action's name, the params kept by the TC
 * as applicationData) and runs `try` behind the fence; the TC later calls back BranchCommit
 * or BranchRollback on this process's connection, which run `confirm` or `cancel` behind the
 * fence with the same params. Confirm/cancel get a connection inside the fence's local
 * transaction, so their database work commits together with the fence row.
 */
import type { PoolConnection } from 'mysql2/promise';
import { currentXid } from '../../core/index.js';
import { TxBadRequestError } from '../errors.js';
import { BranchStatus, BranchType } from '../model.js';
import type { BranchPhaseTwo } from '../protocol.js';
import type { ResourceManager, TcClient } from '../tc-client.js';
import type { TccFence } from './tcc-fence.js';

/** Seata's BusinessActionContext. */
export interface BusinessActionContext<P> {
  xid: string;
  branchId: string;
  actionName: string;
  params: P;
}

export interface TccAction<P> {
  name: string;
  try(ctx: BusinessActionContext<P>, conn: PoolConnection): Promise<void>;
  confirm(ctx: BusinessActionContext<P>, conn: PoolConnection): Promise<void>;
  cancel(ctx: BusinessActionContext<P>, conn: PoolConnection): Promise<void>;
}

export class TccResourceManager implements ResourceManager {
  readonly branchType = BranchType.TCC;
  private readonly actions = new Map<string, TccAction<unknown>>();

  constructor(
    private readonly tc: TcClient,
    private readonly fence: TccFence,
    private readonly log: (level: 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {}

  register<P>(action: TccAction<P>): void {
    this.actions.set(action.name, action);
    this.tc.refreshResources();
  }

  resourceIds(): string[] {
    return [...this.actions.keys()];
  }

  /** Phase one of `name` inside the current global transaction. */
  async invoke<P>(name: string, params: P): Promise<void> {
    const xid = currentXid();
    if (xid === undefined) throw new TxBadRequestError(`TCC action ${name} needs a global transaction`, name);
    const action = this.action(name);
    const { branchId } = await this.tc.request('BranchRegister', {
      xid,
      branchType: BranchType.TCC,
      resourceId: name,
      applicationData: JSON.stringify({ params }),
      clientId: this.tc.clientId,
    });
    try {
      await this.fence.tryPhase(xid, branchId, name, (c) => action.try({ xid, branchId, actionName: name, params }, c));
    } catch (err) {
      await this.tc.request('BranchReport', { xid, branchId, status: BranchStatus.PhaseOne_Failed }).catch(() => undefined);
      throw err;
    }
  }

  async branchCommit(req: BranchPhaseTwo): Promise<BranchStatus> {
    try {
      const action = this.action(req.resourceId);
      const outcome = await this.fence.commitPhase(req.xid, req.branchId, (c) => action.confirm(this.context(req), c));
      if (outcome === 'refused') {
        this.log('error', 'TCC confirm refused: the branch has no try record or was rolled back', { ...req });
        return BranchStatus.PhaseTwo_CommitFailed_Unretryable;
      }
      return BranchStatus.PhaseTwo_Committed;
    } catch (err) {
      this.log('warn', 'TCC confirm failed; the coordinator will retry', { xid: req.xid, err: String(err) });
      return BranchStatus.PhaseTwo_CommitFailed_Retryable;
    }
  }

  async branchRollback(req: BranchPhaseTwo): Promise<BranchStatus> {
    try {
      const action = this.action(req.resourceId);
      const outcome = await this.fence.rollbackPhase(req.xid, req.branchId, req.resourceId, (c) => action.cancel(this.context(req), c));
      if (outcome === 'refused') {
        this.log('error', 'TCC cancel refused: the branch was already confirmed', { ...req });
        return BranchStatus.PhaseTwo_RollbackFailed_Unretryable;
      }
      return BranchStatus.PhaseTwo_Rollbacked;
    } catch (err) {
      this.log('warn', 'TCC cancel failed; the coordinator will retry', { xid: req.xid, err: String(err) });
      return BranchStatus.PhaseTwo_RollbackFailed_Retryable;
    }
  }

  private action(name: string): TccAction<unknown> {
    const a = this.actions.get(name);
    if (!a) throw new TxBadRequestError(`no TCC action named ${name} is registered in this process`, name);
    return a;
  }

  private context(req: BranchPhaseTwo): BusinessActionContext<unknown> {
    const data = req.applicationData ? (JSON.parse(req.applicationData) as { params?: unknown }) : {};
    return { xid: req.xid, branchId: req.branchId, actionName: req.resourceId, params: data.params };
  }
}

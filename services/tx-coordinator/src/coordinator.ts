/**
 * The coordinator's decisions (Seata's DefaultCore): begin, branch register/report, global
 * commit and rollback, and the phase-two driver that pushes BranchCommit/BranchRollback to
 * the participants until every branch is done. Every decision is written to the session
 * store before it is acted on; the driver is idempotent, so running it again after a crash
 * (or on another TC) is always safe.
 */
import {
  BranchStatus,
  BranchType,
  formatXid,
  GlobalStatus,
  globalStatusName,
  GroupCommit,
  isCommittingStatus,
  isGlobalFinal,
  isRollbackingStatus,
  parseLockKeys,
  transactionIdOf,
  TxBadRequestError,
  TxLockConflictError,
  TxNotFoundError,
  type Requests,
} from '@silk/platform-sdk/tx';
import type { IdGenerator } from './id-generator.js';
import type { TcMetrics } from './metrics.js';
import type { RmChannels } from './rm-channels.js';
import { LOCK_SPLIT, type BranchSession, type GlobalSession, type SessionStore } from './session-store.js';

export interface CoordinatorOptions {
  /** This TC's identity in the `owner` column. */
  owner: string;
  /** Address put into XIDs: the TC's advertised ip and port. */
  ip: string;
  port: number;
  leaseMs: number;
  /** How long a phase-two call to one participant may take before it is retried later. */
  branchTimeoutMs: number;
  maxTimeoutMs: number;
  /** How long an ended session stays queryable (GlobalStatus) before it is purged. */
  retainSeconds?: number;
  now?: () => number;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

type Body<T extends keyof Requests> = Requests[T]['body'];

/**
 * How long a finished session waits for others to end with it in one write. Ending a session
 * only tidies rows (its outcome is decided and durable already), so nobody waits on it.
 */
const FINISH_LINGER_MS = 20;

const PHASE_TWO_DONE = new Set<number>([BranchStatus.PhaseTwo_Committed, BranchStatus.PhaseTwo_Rollbacked]);

export class Coordinator {
  private readonly driving = new Map<string, Promise<number>>();
  /** Sessions whose phase two is done, ended together when they finish at the same time. */
  private readonly finishing = new GroupCommit<{ xid: string; status: number }>((sessions) => this.store.finish(sessions), {
    maxGroup: 100,
    lingerMs: FINISH_LINGER_MS,
  });
  private readonly now: () => number;
  private lastPurge = 0;

  constructor(
    private readonly store: SessionStore,
    private readonly rms: RmChannels,
    private readonly ids: IdGenerator,
    private readonly metrics: TcMetrics,
    private readonly opts: CoordinatorOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  private lease(): number {
    return this.now() + this.opts.leaseMs;
  }

  async begin(b: Body<'GlobalBegin'>): Promise<{ xid: string }> {
    if (!Number.isInteger(b.timeoutMs) || b.timeoutMs <= 0 || b.timeoutMs > this.opts.maxTimeoutMs)
      throw new TxBadRequestError(`timeoutMs must be an integer in 1..${this.opts.maxTimeoutMs}`, b.timeoutMs);
    const transactionId = this.ids.next();
    const xid = formatXid(this.opts.ip, this.opts.port, transactionId);
    await this.store.insertGlobal({
      xid,
      transactionId,
      status: GlobalStatus.Begin,
      applicationId: b.applicationId?.slice(0, 32) ?? null,
      transactionName: String(b.name ?? '').slice(0, 128),
      timeout: b.timeoutMs,
      beginTime: this.now(),
      owner: this.opts.owner,
      leaseUntil: this.lease(),
    });
    this.metrics.begun.inc();
    return { xid };
  }

  async registerBranch(b: Body<'BranchRegister'>): Promise<{ branchId: string }> {
    if (!(b.branchType in BranchType)) throw new TxBadRequestError(`unknown branchType`, b.branchType);
    if (typeof b.resourceId !== 'string' || b.resourceId === '') throw new TxBadRequestError('resourceId is required', b);
    // The session itself is checked (and locked) inside the store's registration.
    const transactionId = transactionIdOf(b.xid);
    if (transactionId === undefined) throw new TxNotFoundError(b.xid);
    const branchId = this.ids.next();
    const locks = parseLockKeys(b.lockKey ?? '').map((l) => ({
      ...l,
      rowKey: `${b.resourceId}${LOCK_SPLIT}${l.table}${LOCK_SPLIT}${l.pk}`,
    }));
    const branch: BranchSession = {
      branchId,
      xid: b.xid,
      transactionId,
      resourceId: b.resourceId,
      branchType: b.branchType,
      status: BranchStatus.Registered,
      clientId: b.clientId ?? null,
      applicationData: b.applicationData ?? null,
    };
    try {
      await this.store.registerBranch(branch, locks, this.now());
    } catch (err) {
      const result = err instanceof TxLockConflictError ? 'lock_conflict' : 'rejected';
      this.metrics.branchRegistered.inc({ branch_type: b.branchType, result });
      throw err;
    }
    this.metrics.branchRegistered.inc({ branch_type: b.branchType, result: 'ok' });
    return { branchId };
  }

  async reportBranch(b: Body<'BranchReport'>): Promise<object> {
    const ok = await this.store.reportBranch(b.xid, b.branchId, b.status, b.applicationData);
    if (!ok) throw new TxNotFoundError(`${b.xid} branch ${b.branchId}`);
    return {};
  }

  async lockQuery(b: Body<'GlobalLockQuery'>): Promise<{ lockable: boolean }> {
    const keys = parseLockKeys(b.lockKey).map((l) => `${b.resourceId}${LOCK_SPLIT}${l.table}${LOCK_SPLIT}${l.pk}`);
    const holders = await this.store.lockHolders(keys, b.xid);
    return { lockable: holders.length === 0 };
  }

  async status(xid: string): Promise<{ status: number }> {
    const g = await this.store.getGlobal(xid);
    if (!g) throw new TxNotFoundError(xid);
    return { status: g.status };
  }

  async commit(xid: string): Promise<{ status: number }> {
    const moved = await this.store.commitTransition(xid, this.now(), this.opts.owner, this.lease());
    if (moved === undefined) throw new TxNotFoundError(xid);
    if (moved.found !== GlobalStatus.Begin) return { status: moved.found };
    if (moved.to === GlobalStatus.AsyncCommitting) {
      void this.drive(xid).catch(() => undefined);
      return { status: GlobalStatus.Committed };
    }
    return { status: await this.drive(xid) };
  }

  async rollback(xid: string): Promise<{ status: number }> {
    const moved = await this.store.transition(xid, [GlobalStatus.Begin], GlobalStatus.Rollbacking, this.opts.owner, this.lease());
    if (moved === undefined) throw new TxNotFoundError(xid);
    if (moved.found !== GlobalStatus.Begin && !isRollbackingStatus(moved.found)) return { status: moved.found };
    return { status: await this.drive(xid) };
  }

  /** Timeout check, lease renewal and retry of unfinished phase two: Seata's recovery tasks. */
  async recoverOnce(): Promise<void> {
    const now = this.now();
    await this.store.renewLeases(this.opts.owner, this.lease());
    if (now - this.lastPurge > 60_000) {
      this.lastPurge = now;
      await this.store.purge(this.opts.retainSeconds ?? 600);
    }
    for (const g of await this.store.recoverable(this.opts.owner, now)) {
      if (this.driving.has(g.xid)) continue;
      if (g.owner !== this.opts.owner) {
        if (!(await this.store.claim(g.xid, this.opts.owner, this.lease(), now))) continue;
        this.opts.log('warn', 'took over a session from another coordinator', { xid: g.xid, from: g.owner });
      }
      this.metrics.recovered.inc();
      if (g.status === GlobalStatus.Begin) {
        const moved = await this.store.transition(g.xid, [GlobalStatus.Begin], GlobalStatus.TimeoutRollbacking, this.opts.owner, this.lease());
        if (moved?.found === GlobalStatus.Begin) this.opts.log('info', 'global transaction timed out, rolling back', { xid: g.xid });
      }
      await this.drive(g.xid).catch((err: unknown) => this.opts.log('warn', 'phase two will be retried', { xid: g.xid, err: String(err) }));
    }
  }

  /** Runs phase two once for `xid` (one run at a time per session); returns the status reached. */
  drive(xid: string): Promise<number> {
    let run = this.driving.get(xid);
    if (!run) {
      run = this.driveOnce(xid).finally(() => this.driving.delete(xid));
      this.driving.set(xid, run);
    }
    return run;
  }

  private async driveOnce(xid: string): Promise<number> {
    const { global: g, branches } = await this.store.globalWithBranches(xid);
    if (!g) return GlobalStatus.Finished;
    if (isGlobalFinal(g.status)) return g.status;
    const committing = isCommittingStatus(g.status);
    if (!committing && !isRollbackingStatus(g.status)) return g.status;
    if (!committing) branches.reverse(); // undo in the reverse order of doing
    let pending = false;
    let failed = false;
    const done: string[] = [];
    for (const br of branches) {
      const outcome = await this.phaseTwo(g, br, committing);
      if (outcome === 'failed') {
        failed = true;
        if (!committing) break; // a later rollback must not run past a branch that cannot be undone
      } else if (outcome === 'pending') pending = true;
      else done.push(br.branchId);
    }
    // When all are done, finishing the session deletes them in one go; otherwise forget the
    // finished ones now so a retry does not repeat them.
    if (pending || failed) for (const id of done) await this.store.removeBranch(id);
    return this.settle(g, committing, pending, failed);
  }

  private async settle(g: GlobalSession, committing: boolean, pending: boolean, failed: boolean): Promise<number> {
    const timeout = g.status === GlobalStatus.TimeoutRollbacking || g.status === GlobalStatus.TimeoutRollbackRetrying;
    if (failed) {
      const status = committing ? GlobalStatus.CommitFailed : timeout ? GlobalStatus.TimeoutRollbackFailed : GlobalStatus.RollbackFailed;
      // Kept (with its locks) for an operator: Seata leaves such sessions for manual repair.
      await this.store.setGlobalStatus(g.xid, status);
      this.metrics.ended.inc({ status: globalStatusName(status) });
      this.opts.log('error', 'global transaction needs manual repair', { xid: g.xid, status: globalStatusName(status) });
      return status;
    }
    if (pending) {
      const retrying = committing
        ? g.status === GlobalStatus.AsyncCommitting ? g.status : GlobalStatus.CommitRetrying
        : timeout ? GlobalStatus.TimeoutRollbackRetrying : GlobalStatus.RollbackRetrying;
      if (retrying !== g.status) await this.store.setGlobalStatus(g.xid, retrying);
      return retrying;
    }
    const status = committing ? GlobalStatus.Committed : timeout ? GlobalStatus.TimeoutRollbacked : GlobalStatus.Rollbacked;
    await this.finishing.add({ xid: g.xid, status });
    this.metrics.ended.inc({ status: globalStatusName(status) });
    return status;
  }

  private async phaseTwo(g: GlobalSession, br: BranchSession, committing: boolean): Promise<'done' | 'pending' | 'failed'> {
    const action = committing ? 'commit' : 'rollback';
    // A branch whose phase one failed changed nothing that needs undoing or confirming.
    if (br.status === BranchStatus.PhaseOne_Failed || PHASE_TWO_DONE.has(br.status)) return 'done';
    const channel = this.rms.pick(br.resourceId, br.clientId);
    if (!channel) {
      this.metrics.phaseTwo.inc({ action, result: 'no_channel' });
      return 'pending';
    }
    const body = {
      xid: g.xid,
      branchId: br.branchId,
      branchType: br.branchType,
      resourceId: br.resourceId,
      ...(br.applicationData !== null ? { applicationData: br.applicationData } : {}),
    };
    let status: number;
    try {
      const res = await channel.request(committing ? 'BranchCommit' : 'BranchRollback', body, this.opts.branchTimeoutMs);
      status = res.status;
    } catch (err) {
      this.metrics.phaseTwo.inc({ action, result: 'retry' });
      this.opts.log('warn', `branch ${action} failed, will retry`, { xid: g.xid, branchId: br.branchId, err: String(err) });
      return 'pending';
    }
    if (status === BranchStatus.PhaseTwo_Committed || status === BranchStatus.PhaseTwo_Rollbacked) {
      this.metrics.phaseTwo.inc({ action, result: 'done' });
      return 'done';
    }
    if (status === BranchStatus.PhaseTwo_CommitFailed_Unretryable || status === BranchStatus.PhaseTwo_RollbackFailed_Unretryable) {
      await this.store.setBranchStatus(br.branchId, status);
      this.metrics.phaseTwo.inc({ action, result: 'failed' });
      return 'failed';
    }
    this.metrics.phaseTwo.inc({ action, result: 'retry' });
    return 'pending';
  }
}

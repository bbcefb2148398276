/**
 * The TM (Seata's GlobalTransactionalInterceptor + DefaultGlobalTransaction): begin, run the
 * business function with the XID in the request context, then commit — or roll back when it
 * throws. Inside an existing global transaction it just runs the function (the caller joins
 * the outer transaction, Seata's default REQUIRED propagation).
 */
import { currentXid, isSilkError, withContext } from '../core/index.js';
import { observeGlobalTransaction, type TxSettled } from '../observability/tx-observation.js';
import { TxRolledBackError, TxTcUnavailableError } from './errors.js';
import { GlobalStatus, globalStatusName, isCommittingStatus } from './model.js';
import type { TcClient } from './tc-client.js';

export interface GlobalTransactionOptions {
  name: string;
  /** After this long the TC rolls the transaction back by itself. Default 60 s (Seata's). */
  timeoutMs?: number;
}

const COMMIT_RETRIES = 5; // Seata's client.tm.commitRetryCount

function committed(status: number): boolean {
  return status === GlobalStatus.Committed || isCommittingStatus(status);
}

export class TransactionManager {
  constructor(
    private readonly tc: TcClient,
    private readonly applicationId: string,
    private readonly log: (
      level: 'warn' | 'error',
      msg: string,
      fields?: Record<string, unknown>,
    ) => void = () => undefined,
  ) {}

  async globalTransaction<T>(fn: () => Promise<T>, opts: GlobalTransactionOptions): Promise<T> {
    if (currentXid() !== undefined) return fn();
    // One span for the whole transaction: the business function's calls are its children.
    return observeGlobalTransaction(opts.name, async (setXid): Promise<TxSettled<T>> => {
      const { xid } = await this.tc.request('GlobalBegin', {
        name: opts.name,
        timeoutMs: opts.timeoutMs ?? 60_000,
        applicationId: this.applicationId,
      });
      setXid(xid);
      let result: T;
      try {
        result = await withContext({ xid }, fn);
      } catch (err) {
        await this.rollback(xid);
        return { outcome: 'rollbacked', error: err };
      }
      const status = await this.commit(xid);
      if (!committed(status))
        return { outcome: 'rollbacked', error: new TxRolledBackError(xid, globalStatusName(status)) };
      return { outcome: 'committed', result };
    });
  }

  private async commit(xid: string): Promise<number> {
    let last: unknown;
    for (let i = 0; i < COMMIT_RETRIES; i++) {
      try {
        return (await this.tc.request('GlobalCommit', { xid })).status;
      } catch (err) {
        if (!isSilkError(err) || !err.retryable) throw err;
        last = err;
        // The first attempt may have been applied: ask before trying again.
        const known = await this.tc.request('GlobalStatus', { xid }).catch(() => undefined);
        if (known && known.status !== GlobalStatus.Begin) return known.status;
      }
    }
    throw last instanceof TxTcUnavailableError ? last : new TxTcUnavailableError('(commit)', last);
  }

  private async rollback(xid: string): Promise<void> {
    for (let i = 0; i < COMMIT_RETRIES; i++) {
      try {
        await this.tc.request('GlobalRollback', { xid });
        return;
      } catch (err) {
        if (!isSilkError(err) || !err.retryable) break;
      }
    }
    // The TC rolls it back on timeout anyway; the business error is what the caller needs.
    this.log('warn', 'global rollback not confirmed; the coordinator will roll back on timeout', { xid });
  }
}

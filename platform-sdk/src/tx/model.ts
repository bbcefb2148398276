/**
 * Seata's transaction model, with Seata's names and codes so a Java reader (and Seata's own
 * tables) recognise them: GlobalStatus (core/.../model/GlobalStatus.java), BranchStatus
 * (BranchStatus.java), BranchType, and the XID `<ip>:<port>:<transactionId>` (XID.java).
 */

export const GlobalStatus = {
  UnKnown: 0,
  Begin: 1,
  Committing: 2,
  CommitRetrying: 3,
  Rollbacking: 4,
  RollbackRetrying: 5,
  TimeoutRollbacking: 6,
  TimeoutRollbackRetrying: 7,
  AsyncCommitting: 8,
  Committed: 9,
  CommitFailed: 10,
  Rollbacked: 11,
  RollbackFailed: 12,
  TimeoutRollbacked: 13,
  TimeoutRollbackFailed: 14,
  Finished: 15,
  CommitRetryTimeout: 16,
  RollbackRetryTimeout: 17,
} as const;
export type GlobalStatus = (typeof GlobalStatus)[keyof typeof GlobalStatus];

export const BranchStatus = {
  Unknown: 0,
  Registered: 1,
  PhaseOne_Done: 2,
  PhaseOne_Failed: 3,
  PhaseOne_Timeout: 4,
  PhaseTwo_Committed: 5,
  PhaseTwo_CommitFailed_Retryable: 6,
  PhaseTwo_CommitFailed_Unretryable: 7,
  PhaseTwo_Rollbacked: 8,
  PhaseTwo_RollbackFailed_Retryable: 9,
  PhaseTwo_RollbackFailed_Unretryable: 10,
} as const;
export type BranchStatus = (typeof BranchStatus)[keyof typeof BranchStatus];

export const BranchType = { AT: 'AT', TCC: 'TCC', SAGA: 'SAGA', XA: 'XA' } as const;
export type BranchType = (typeof BranchType)[keyof typeof BranchType];

export function globalStatusName(code: number): string {
  for (const [name, value] of Object.entries(GlobalStatus)) if (value === code) return name;
  return `Unknown(${code})`;
}

/** Statuses after which nothing more happens to a global transaction. */
export function isGlobalFinal(status: number): boolean {
  return (
    status === GlobalStatus.Committed ||
    status === GlobalStatus.Rollbacked ||
    status === GlobalStatus.TimeoutRollbacked ||
    status === GlobalStatus.CommitFailed ||
    status === GlobalStatus.RollbackFailed ||
    status === GlobalStatus.TimeoutRollbackFailed ||
    status === GlobalStatus.Finished
  );
}

export function isRollbackingStatus(status: number): boolean {
  return (
    status === GlobalStatus.Rollbacking ||
    status === GlobalStatus.RollbackRetrying ||
    status === GlobalStatus.TimeoutRollbacking ||
    status === GlobalStatus.TimeoutRollbackRetrying
  );
}

export function isCommittingStatus(status: number): boolean {
  return (
    status === GlobalStatus.Committing ||
    status === GlobalStatus.CommitRetrying ||
    status === GlobalStatus.AsyncCommitting
  );
}

/** XID.generateXID: the TC's address, then the transaction id. */
export function formatXid(ip: string, port: number, transactionId: string): string {
  return `${ip}:${port}:${transactionId}`;
}

/** The transaction id is whatever follows the last ':' (an IPv6 address has colons too). */
export function transactionIdOf(xid: string): string | undefined {
  const at = xid.lastIndexOf(':');
  if (at <= 0 || at === xid.length - 1) return undefined;
  const id = xid.slice(at + 1);
  return /^\d+$/.test(id) ? id : undefined;
}

/**
 * AT lock keys as the RM sends them (BaseTransactionalExecutor.buildLockKey): `table:pk1,pk2`,
 * composite primary key values joined with `_`, several tables separated by `;`.
 */
export function buildLockKey(table: string, pkRows: readonly (readonly string[])[]): string {
  return `${table}:${pkRows.map((r) => r.join('_')).join(',')}`;
}

export interface RowLock {
  table: string;
  pk: string;
}

export function parseLockKeys(lockKey: string): RowLock[] {
  const locks: RowLock[] = [];
  for (const part of lockKey.split(';')) {
    if (part === '') continue;
    const at = part.indexOf(':');
    if (at <= 0) continue;
    const table = part.slice(0, at);
    for (const pk of part.slice(at + 1).split(',')) if (pk !== '') locks.push({ table, pk });
  }
  return locks;
}

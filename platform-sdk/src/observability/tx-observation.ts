/**
 * Global transactions in the trace and on `/actuator/prometheus`:
 *
 * - the TM's global transaction is one INTERNAL span (`GlobalTransaction <name>`), parent of
 *   everything the business function calls, so the branches' HTTP/Dubbo hops hang under it;
 * - each request to the TC (GlobalBegin, GlobalCommit, GlobalRollback, BranchRegister,
 *   BranchReport, GlobalLockQuery...) is a CLIENT span `seata <Request>`, and each phase-two
 *   order from the TC (BranchCommit, BranchRollback) a SERVER span on the participant, so a
 *   trace shows where time went between the phases;
 * - outcomes are timed into `seata_transaction_seconds{role,name,status}`: Seata's meter name
 *   (`seata.transaction`) and its `role`/`status` tags, as a Micrometer timer whose `_count`
 *   per status is the outcome counter. The TM records `role="tm"`, `name` = the transaction
 *   name, `status` committed / rollbacked / failed; the RM records `role="rm"`, `name` = the
 *   resource id, `status` the BranchStatus it answered (`PhaseTwo_Committed`...).
 */
import { SpanKind } from './otel-api.js';
import { currentMeters, withSpan } from './spans.js';

export const TX_TAGS = ['role', 'name', 'status'] as const;
export type TxOutcome = 'committed' | 'rollbacked' | 'failed';

function recordOutcome(role: 'tm' | 'rm', name: string, status: string, started: number): void {
  currentMeters()
    ?.timer('seata_transaction', 'Global transactions and branch phase two, by outcome', TX_TAGS)
    .record({ role, name, status }, (performance.now() - started) / 1000);
}

/** What a global transaction came to: its result, or the error the caller gets. */
export type TxSettled<T> = { outcome: TxOutcome; result: T } | { outcome: TxOutcome; error: unknown };

/**
 * Runs a global transaction in its span. `run` says how it ended: a rollback the TM performed
 * is `rollbacked` even though the caller's own error is what is rethrown.
 */
export function observeGlobalTransaction<T>(
  name: string,
  run: (setXid: (xid: string) => void) => Promise<TxSettled<T>>,
): Promise<T> {
  const started = performance.now();
  return withSpan(`GlobalTransaction ${name}`, { attributes: { 'seata.tx.name': name } }, async (span) => {
    let outcome: TxOutcome = 'failed';
    try {
      const settled = await run((xid) => span?.setAttribute('seata.xid', xid));
      outcome = settled.outcome;
      if ('error' in settled) throw settled.error;
      return settled.result;
    } finally {
      span?.setAttribute('seata.tx.outcome', outcome);
      recordOutcome('tm', name, outcome, started);
    }
  });
}

/** One request to the TC as a CLIENT span. */
export function observeTcRequest<R>(
  type: string,
  xid: string | undefined,
  send: () => Promise<R>,
): Promise<R> {
  return withSpan(
    `seata ${type}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'rpc.system': 'seata', 'rpc.method': type, ...(xid ? { 'seata.xid': xid } : {}) },
    },
    send,
  );
}

/** A phase-two order from the TC, as a SERVER span and an RM outcome. */
export function observeBranchPhaseTwo(
  type: 'BranchCommit' | 'BranchRollback',
  branch: { xid: string; branchId: string; branchType: string; resourceId: string },
  statusName: (status: number) => string,
  run: () => Promise<number>,
): Promise<number> {
  const started = performance.now();
  return withSpan(
    `seata ${type}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'rpc.system': 'seata',
        'rpc.method': type,
        'seata.xid': branch.xid,
        'seata.branch_id': branch.branchId,
        'seata.branch_type': branch.branchType,
        'seata.resource_id': branch.resourceId,
      },
    },
    async (span) => {
      let status = 'failed';
      try {
        const code = await run();
        status = statusName(code);
        return code;
      } finally {
        span?.setAttribute('seata.branch_status', status);
        recordOutcome('rm', branch.resourceId, status, started);
      }
    },
  );
}

/**
 * The transaction error catalogue, shared by the client and the coordinator (the TC sends
 * these codes over the wire and the client rebuilds them as TxRemoteError with the same code).
 */
import { SilkError, type SilkErrorOptions } from '../core/index.js';
import type { WireError } from './protocol.js';

export const TX_ERROR_CODES = {
  SILK_TX_TC_UNAVAILABLE: 'SILK_TX_TC_UNAVAILABLE',
  SILK_TX_LOCK_CONFLICT: 'SILK_TX_LOCK_CONFLICT',
  SILK_TX_NOT_FOUND: 'SILK_TX_NOT_FOUND',
  SILK_TX_NOT_ACTIVE: 'SILK_TX_NOT_ACTIVE',
  SILK_TX_ROLLED_BACK: 'SILK_TX_ROLLED_BACK',
  SILK_TX_UNSUPPORTED_SQL: 'SILK_TX_UNSUPPORTED_SQL',
  SILK_TX_NO_PRIMARY_KEY: 'SILK_TX_NO_PRIMARY_KEY',
  SILK_TX_DIRTY_WRITE: 'SILK_TX_DIRTY_WRITE',
  SILK_TX_BAD_REQUEST: 'SILK_TX_BAD_REQUEST',
  SILK_TX_REMOTE: 'SILK_TX_REMOTE',
} as const;

export type TxErrorCode = keyof typeof TX_ERROR_CODES;

export class TxError extends SilkError {
  constructor(code: TxErrorCode, message: string, options: SilkErrorOptions = {}) {
    super(code, message, options);
  }
}

export class TxTcUnavailableError extends TxError {
  constructor(address: string, cause: unknown) {
    super(
      'SILK_TX_TC_UNAVAILABLE',
      `the transaction coordinator at ${address} is unreachable or did not answer; ` +
        'check that tx-coordinator runs and is registered in Nacos, then retry',
      { cause, retryable: true, statusCode: 503, details: { address } },
    );
  }
}

/** Another global transaction holds a row this one wants (Seata's LockKeyConflict). */
export class TxLockConflictError extends TxError {
  constructor(xid: string, rowKey: string, holderXid: string) {
    super(
      'SILK_TX_LOCK_CONFLICT',
      `global lock on ${rowKey} is held by ${holderXid}, so ${xid} cannot take it; ` +
        'retry after the holder finishes (its phase two releases the lock)',
      { retryable: true, statusCode: 409, details: { xid, rowKey, holderXid } },
    );
  }
}

export class TxNotFoundError extends TxError {
  constructor(xid: string) {
    super('SILK_TX_NOT_FOUND', `global transaction ${xid} does not exist (finished long ago, or a wrong XID)`, {
      statusCode: 404,
      details: { xid },
    });
  }
}

export class TxNotActiveError extends TxError {
  constructor(xid: string, status: string) {
    super(
      'SILK_TX_NOT_ACTIVE',
      `global transaction ${xid} is ${status}, not Begin: it timed out or is ending, so no branch can join; ` +
        'start a new global transaction',
      { statusCode: 409, details: { xid, status } },
    );
  }
}

export class TxRolledBackError extends TxError {
  constructor(xid: string, status: string, cause?: unknown) {
    super('SILK_TX_ROLLED_BACK', `global transaction ${xid} was rolled back (${status}); nothing of it was kept`, {
      cause,
      statusCode: 409,
      details: { xid, status },
    });
  }
}

export class TxUnsupportedSqlError extends TxError {
  constructor(sql: string, reason: string) {
    super(
      'SILK_TX_UNSUPPORTED_SQL',
      `AT mode cannot protect this statement (${reason}); it was not run. ` +
        'Use a single-table INSERT/UPDATE/DELETE by primary key or a simple WHERE, or run it outside the global transaction',
      { details: { sql: sql.slice(0, 500), reason } },
    );
  }
}

export class TxNoPrimaryKeyError extends TxError {
  constructor(resourceId: string, table: string) {
    super('SILK_TX_NO_PRIMARY_KEY', `table ${table} in ${resourceId} has no primary key; AT mode needs one to lock and undo rows`, {
      details: { resourceId, table },
    });
  }
}

/** Rollback found a row changed by someone outside the global transaction since phase one. */
export class TxDirtyWriteError extends TxError {
  constructor(xid: string, branchId: string, table: string, pk: string) {
    super(
      'SILK_TX_DIRTY_WRITE',
      `cannot roll back branch ${branchId} of ${xid}: row ${table}:${pk} was changed outside the global transaction ` +
        'since phase one; it was NOT overwritten. Fix the row by hand, then delete the undo_log row',
      { details: { xid, branchId, table, pk } },
    );
  }
}

export class TxBadRequestError extends TxError {
  constructor(what: string, input: unknown) {
    super('SILK_TX_BAD_REQUEST', `bad transaction request: ${what}`, { statusCode: 400, details: { input } });
  }
}

/** An error the peer answered with; `code` is the peer's code, so callers match as if local. */
export class TxRemoteError extends SilkError {
  constructor(request: string, wire: WireError) {
    super(wire.code || TX_ERROR_CODES.SILK_TX_REMOTE, `${request} failed at the coordinator: ${wire.message}`, {
      retryable: wire.retryable ?? false,
      details: { request, ...(wire.details ?? {}) },
    });
  }
}

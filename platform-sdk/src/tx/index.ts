/**
 * tx: taking part in Seata-style distributed transactions run by Silk's transaction
 * coordinator (services/tx-coordinator). The TM (`globalTransaction`) begins, runs and ends a
 * global transaction with its XID in the request context; AT mode wraps a mysql2 pool so
 * INSERT/UPDATE/DELETE keep undo logs and global row locks; TCC and Saga participants sit
 * beside it. The wire to the TC (length-prefixed JSON frames) is exported for the TC itself.
 */
export {
  BranchStatus,
  BranchType,
  buildLockKey,
  formatXid,
  GlobalStatus,
  globalStatusName,
  isCommittingStatus,
  isGlobalFinal,
  isRollbackingStatus,
  parseLockKeys,
  transactionIdOf,
  type RowLock,
} from './model.js';
export { encodeFrame, FrameDecoder, FrameError, MAX_FRAME, type BranchPhaseTwo, type Frame, type RequestType, type Requests, type WireError } from './protocol.js';
export { RpcChannel, toWireError, type RequestHandler } from './rpc-channel.js';
export { GroupCommit } from './group-commit.js';
export { withLocalTransaction } from './local-transaction.js';
export {
  TX_ERROR_CODES,
  TxBadRequestError,
  TxDirtyWriteError,
  TxError,
  TxLockConflictError,
  TxNoPrimaryKeyError,
  TxNotActiveError,
  TxNotFoundError,
  TxRemoteError,
  TxRolledBackError,
  TxTcUnavailableError,
  TxUnsupportedSqlError,
} from './errors.js';
export { TcClient, type ResourceManager, type TcAddress, type TcClientOptions } from './tc-client.js';
export { TransactionManager, type GlobalTransactionOptions } from './tm.js';
export { globalTransaction, nacosTcResolver, TxClient, type TxClientOptions } from './tx-client.js';
export { AtDataSource, AtResourceManager, type AtDataSourceOptions, type BranchConnection } from './at/at-data-source.js';
export { AtConnection } from './at/at-connection.js';
export { recognize, type Recognized } from './at/sql-recognizer.js';
export {
  decodeUndoLog,
  encodeUndoLog,
  undoLogDdl,
  UNDO_LOG_CONTEXT,
  type BranchUndoLog,
  type Field,
  type Row,
  type SQLUndoLog,
  type TableRecords,
} from './at/undo-log.js';
export { installTxXidHook } from './fastify-xid.js';
export { FenceStatus, TccFence, tccFenceDdl, type FenceOutcome } from './tcc/tcc-fence.js';
export { TccResourceManager, type BusinessActionContext, type TccAction } from './tcc/tcc-resource-manager.js';
export { SagaEngine, type SagaDefinition, type SagaStatus, type SagaStep } from './saga/saga-engine.js';
export { SagaResourceManager, type SagaRunResult } from './saga/saga-resource-manager.js';

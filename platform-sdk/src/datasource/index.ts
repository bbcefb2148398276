/**
 * datasource: distributed storage on MySQL through mysql2.
 *
 * Sharding (ShardingSphere 5's model and YAML):
 *  - `parseShardingRuleYaml(text)` reads `rules: - !SHARDING` (tables with actualDataNodes,
 *    standard database/table strategies, bindingTables, broadcastTables, shardingAlgorithms
 *    MOD / HASH_MOD / BOUNDARY_RANGE / VOLUME_RANGE / INTERVAL with ShardingSphere's props).
 *  - `new ShardingDataSource({ rule, dataSources })` routes each statement by a real SQL parse:
 *    with the sharding key (=, IN, BETWEEN, comparisons) to the nodes it selects; without it,
 *    to every node, merging ORDER BY + LIMIT/OFFSET, COUNT/SUM/MIN/MAX/AVG, GROUP BY, DISTINCT
 *    and plain scans. SQL it cannot route exactly is refused (SILK_SHARDING_UNSUPPORTED_SQL)
 *    before any shard runs it. `transaction(fn)` holds one local transaction per data source.
 *  - `ShardingRuleFollower` keeps the rule in a Nacos dataId; an edit applies to new
 *    statements and transactions, a bad edit keeps the last good rule.
 *
 * Read/write splitting: `ReadwriteSplittingResource` sends writes, locking reads and
 * transactions to the primary and reads to healthy replicas (ROUND_ROBIN / RANDOM); a replica
 * down, with replication stopped or lagging past `maxLagSeconds` is skipped, and a failed
 * replica read is retried on the primary. `withPrimary(fn)` / `withReadYourWrites(fn)` pin
 * reads in an async scope.
 *
 * Distributed ids: `SnowflakeGenerator` (ShardingSphere's 41/10/12-bit layout, small clock
 * rollbacks waited out, large ones refused) over a `WorkerIdLease` (a Redis key per worker id,
 * TTL renewed; a lost or unrenewed lease stops issuing); `SegmentIdAllocator` hands out dense
 * ids from MySQL segments (Leaf-segment's leaf_alloc table, double buffered).
 *
 * Physical data sources are named resources (`DataSourceResource`): a pool (`poolResource`)
 * or a read/write group, and the seam a transaction layer wraps.
 *
 * Errors are coded SilkErrors (SILK_SHARDING_*, SILK_DATASOURCE_*, SILK_ID_*); see errors.ts.
 */
export {
  ClockBackwardsError,
  DATASOURCE_ERROR_CODES,
  DatasourceError,
  DataSourceUnavailableError,
  NoRouteError,
  SegmentAllocationError,
  ShardingRuleError,
  UnknownDataSourceError,
  UnsupportedShardingSqlError,
  WorkerIdUnavailableError,
} from './errors.js';
export { expandInlineExpression, parseDataNodes, type DataNode } from './inline-expression.js';
export {
  createShardingAlgorithm,
  javaHashCode,
  SHARDING_ALGORITHM_TYPES,
  type ShardingValue,
  type StandardShardingAlgorithm,
  type ValueRange,
} from './sharding-algorithms.js';
export {
  buildShardingRule,
  parseRulesYaml,
  parseShardingRuleYaml,
  type ParsedRules,
  type ReadwriteSplittingGroupRule,
  type ShardingRule,
  type ShardingStrategy,
  type TableRule,
} from './sharding-rule.js';
export { ShardingRouter, type RouteResult, type RouteUnit, type ShardingRouterOptions } from './sharding-router.js';
export {
  ShardingDataSource,
  ShardingTransaction,
  type ShardingDataSourceOptions,
  type WriteResult,
} from './sharding-data-source.js';
export type { FieldInfo, Row } from './result-merger.js';
export {
  connectionOf,
  poolResource,
  type AccessIntent,
  type DataSourceResource,
  type QueryOutput,
  type ResourceConnection,
} from './resource.js';
export { readsPinnedToPrimary, withPrimary, withReadYourWrites } from './read-hint.js';
export {
  ReadwriteSplittingResource,
  readwriteSplittingFromRule,
  type LoadBalancerType,
  type ReadwriteSplittingOptions,
  type ReplicaSource,
} from './readwrite-splitting.js';
export { isConnectionError, judgeReplica, type ReplicaVerdict, type SlaveStatus } from './replica-health.js';
export {
  loadShardingRule,
  ShardingRuleFollower,
  type RuleTarget,
  type ShardingRuleDataId,
} from './sharding-rule-source.js';
export {
  compose as composeSnowflake,
  MAX_WORKER_ID,
  parseSnowflake,
  SnowflakeGenerator,
  SNOWFLAKE_EPOCH,
  type SnowflakeOptions,
  type WorkerIdGrant,
  type WorkerIdSource,
} from './snowflake.js';
export { WorkerIdLease, type WorkerIdLeaseOptions } from './worker-id-lease.js';
export { SegmentIdAllocator, type SegmentAllocatorOptions } from './segment-allocator.js';
export { branchResource, type BranchStatements, type BranchTransactionSource } from './branch-resource.js';

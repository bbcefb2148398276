/**
 * sentinel: flow control, circuit breaking, system protection, authority and hot-parameter
 * limits with Java Sentinel's semantics, driven by rules in Sentinel's own JSON.
 *
 * Contract:
 * - `createSentinel()` makes an engine; `engine.entry(resource, { origin, args, batchCount,
 *   entryType })` returns either an admitted `Entry` — call `exit()` once when the work ends,
 *   `setError(err)` before that if it failed, and wait `waitMs` first when a rate limiter
 *   queued it — or a `BlockResult` (`blocked: true`) naming the rule and the kind of block.
 *   A block is a result, never an exception; `engine.wrap()` turns one into a coded
 *   `SentinelBlockError` (SILK_SENTINEL_*_BLOCKED, HTTP 429) for async functions.
 * - Statistics use sliding windows of 2 x 500 ms and 60 x 1 s per resource (ClusterNode),
 *   per context (DefaultNode), per origin, and for all inbound traffic, read from an injected
 *   clock (a cached millisecond clock by default).
 * - `engine.flowRules` / `degradeRules` / `systemRules` / `authorityRules` / `paramFlowRules`
 *   `.loadRules(json | objects)` validate rule by rule (a bad rule is rejected alone, with its
 *   reason) and swap the rule set atomically; unreadable documents keep the previous rules.
 * - A `RuleSource` delivers rule JSON from elsewhere (`FileRuleSource` here, Nacos in
 *   `nacos/`); `bindRuleSource` loads what it delivers and reports the outcome.
 * - The engine is pure: no sockets, no framework; adapters live with their transports.
 */
export { createSentinel, Sentinel } from './sentinel.js';
export type { EntryOptions, EntryResult, SentinelOptions, WrapOptions } from './sentinel.js';
export type { Entry } from './core/entry.js';
export type { Context } from './core/context.js';
export type { AbstractRule, BlockKind, BlockResult } from './core/rule.js';
export type { LoadResult, RuleKind, RuleRejection } from './core/rule-parse.js';

export {
  CONTEXT_DEFAULT_NAME,
  DEFAULT_COLD_FACTOR,
  DEFAULT_STATISTIC_MAX_RT,
  MAX_CONTEXT_NAME_SIZE,
  MAX_SLOT_CHAIN_SIZE,
  ResourceType,
  RuleConstant,
  TOTAL_IN_RESOURCE_NAME,
} from './constants.js';
export type { EntryType } from './constants.js';

export { CachedMillisClock, ManualClock, WallClock } from './core/clock.js';
export type { SentinelClock } from './core/clock.js';
export type { ClusterNode, DefaultNode, EntranceNode } from './core/nodes.js';
export type { ResourceWrapper } from './core/resource.js';
export type { StatisticNode } from './core/statistic-node.js';
export type { MetricNode } from './core/metric-bucket.js';
export type { ResourceMetricNode, ResourceMetrics } from './metrics.js';

export type { ClusterFlowConfig, FlowRule } from './flow/rule.js';
export type { FlowRuleManager } from './flow/rule-manager.js';
export type { DegradeRule } from './circuitbreaker/rule.js';
export type { DegradeRuleManager } from './circuitbreaker/rule-manager.js';
export type {
  CircuitBreaker,
  CircuitBreakerState,
  StateChangeListener,
} from './circuitbreaker/circuit-breaker.js';
export type { SystemRule } from './system/rule.js';
export type { SystemRuleManager } from './system/rule-manager.js';
export { OsSystemStatus, StaticSystemStatus } from './system/system-status.js';
export type { SystemStatusProvider } from './system/system-status.js';
export type { AuthorityRule } from './authority/rule.js';
export type { AuthorityRuleManager } from './authority/rule-manager.js';
export type { ParamFlowClusterConfig, ParamFlowItem, ParamFlowRule } from './hotspot/rule.js';
export type { ParamFlowRuleManager } from './hotspot/rule-manager.js';
export type { ParamFlowArgument } from './hotspot/param-metric.js';

export { RULE_KINDS } from './datasource/rule-source.js';
export type { RuleSource, RuleSourceListener, RuleSubscription } from './datasource/rule-source.js';
export { DEFAULT_REFRESH_MS, FileRuleSource } from './datasource/file-source.js';
export type { FileRuleSourceOptions } from './datasource/file-source.js';
export { bindRuleSource } from './datasource/bind.js';
export type { RuleBinding, RuleSourceEvent } from './datasource/bind.js';

export {
  AuthorityBlockedError,
  DegradeBlockedError,
  FlowBlockedError,
  ParamFlowBlockedError,
  SENTINEL_ERROR_CODES,
  SentinelBlockError,
  SentinelError,
  SentinelRuleInvalidError,
  SentinelRuleSourceError,
  SystemBlockedError,
  blockErrorOf,
} from './errors.js';
export type { SentinelErrorCode } from './errors.js';
export { isBlockError } from './core/slot-chain.js';

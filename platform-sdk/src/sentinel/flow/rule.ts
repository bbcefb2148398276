/**
 * FlowRule in Sentinel's JSON (sentinel-core .../flow/FlowRule.java, ClusterFlowConfig.java),
 * with Java's defaults, validated as FlowRuleUtil.isValidRule does — plus one deliberate
 * strictness: an unknown grade, strategy or controlBehavior code is rejected with a reason
 * instead of loading as a rule that silently never applies.
 */
import { RuleConstant } from '../constants.js';
import type { AbstractRule } from '../core/rule.js';
import { invalid, type RuleReader } from '../core/rule-parse.js';

export interface ClusterFlowConfig {
  readonly flowId: number | undefined;
  /** 0 AVG_LOCAL, 1 GLOBAL. */
  readonly thresholdType: number;
  readonly fallbackToLocalWhenFail: boolean;
  readonly strategy: number;
  readonly sampleCount: number;
  readonly windowIntervalMs: number;
  readonly resourceTimeout: number;
  readonly resourceTimeoutStrategy: number;
  readonly acquireRefuseStrategy: number;
  readonly clientOfflineTime: number;
}

export interface FlowRule extends AbstractRule {
  /** 0 THREAD (concurrency), 1 QPS. */
  readonly grade: number;
  readonly count: number;
  /** 0 DIRECT, 1 RELATE (limit by refResource's traffic), 2 CHAIN (only via context refResource). */
  readonly strategy: number;
  readonly refResource: string | undefined;
  /** 0 DEFAULT (reject), 1 WARM_UP, 2 RATE_LIMITER, 3 WARM_UP_RATE_LIMITER. */
  readonly controlBehavior: number;
  readonly warmUpPeriodSec: number;
  readonly maxQueueingTimeMs: number;
  readonly clusterMode: boolean;
  readonly clusterConfig: ClusterFlowConfig | undefined;
}

export function parseFlowRule(r: RuleReader): FlowRule {
  const base = r.base();
  const rule: FlowRule = {
    ...base,
    grade: r.int('grade', RuleConstant.FLOW_GRADE_QPS),
    count: r.num('count', 0),
    strategy: r.int('strategy', RuleConstant.STRATEGY_DIRECT),
    refResource: r.str('refResource'),
    controlBehavior: r.int('controlBehavior', RuleConstant.CONTROL_BEHAVIOR_DEFAULT),
    warmUpPeriodSec: r.int('warmUpPeriodSec', 10),
    maxQueueingTimeMs: r.int('maxQueueingTimeMs', 500),
    clusterMode: r.bool('clusterMode', false),
    clusterConfig: parseClusterConfig(r.obj('clusterConfig')),
  };
  validate(rule);
  return rule;
}

function parseClusterConfig(r: RuleReader | undefined): ClusterFlowConfig | undefined {
  if (r === undefined) return undefined;
  return {
    flowId: r.has('flowId') ? r.int('flowId', 0) : undefined,
    thresholdType: r.int('thresholdType', 0),
    fallbackToLocalWhenFail: r.bool('fallbackToLocalWhenFail', true),
    strategy: r.int('strategy', 0),
    sampleCount: r.int('sampleCount', 10),
    windowIntervalMs: r.int('windowIntervalMs', 1000),
    resourceTimeout: r.int('resourceTimeout', 2000),
    resourceTimeoutStrategy: r.int('resourceTimeoutStrategy', 0),
    acquireRefuseStrategy: r.int('acquireRefuseStrategy', 0),
    clientOfflineTime: r.int('clientOfflineTime', 2000),
  };
}

function validate(rule: FlowRule): void {
  if (rule.count < 0) invalid('count must be >= 0');
  if (rule.grade !== RuleConstant.FLOW_GRADE_QPS && rule.grade !== RuleConstant.FLOW_GRADE_THREAD) {
    invalid(`grade must be 0 (THREAD) or 1 (QPS), got ${rule.grade}`);
  }
  if (rule.strategy < 0 || rule.strategy > RuleConstant.STRATEGY_CHAIN) {
    invalid(`strategy must be 0 (DIRECT), 1 (RELATE) or 2 (CHAIN), got ${rule.strategy}`);
  }
  // Java loads a rule with an unknown behaviour code and limits it with the default
  // controller (FlowRuleUtil.generateRater); doing otherwise would let through what Java stops.
  if (rule.controlBehavior < 0) invalid(`controlBehavior must be >= 0, got ${rule.controlBehavior}`);
  if (rule.regex && (rule.clusterMode || rule.controlBehavior !== RuleConstant.CONTROL_BEHAVIOR_DEFAULT)) {
    invalid('a regex rule must be local and use controlBehavior 0 (DEFAULT)');
  }
  if (rule.clusterMode) validateCluster(rule);
  if (rule.grade === RuleConstant.FLOW_GRADE_THREAD) return;
  const needsRef =
    rule.strategy === RuleConstant.STRATEGY_RELATE || rule.strategy === RuleConstant.STRATEGY_CHAIN;
  if (needsRef && (rule.refResource === undefined || rule.refResource.trim() === '')) {
    invalid('strategy RELATE (1) and CHAIN (2) need a refResource');
  }
  const warmUp =
    rule.controlBehavior === RuleConstant.CONTROL_BEHAVIOR_WARM_UP ||
    rule.controlBehavior === RuleConstant.CONTROL_BEHAVIOR_WARM_UP_RATE_LIMITER;
  const queue =
    rule.controlBehavior === RuleConstant.CONTROL_BEHAVIOR_RATE_LIMITER ||
    rule.controlBehavior === RuleConstant.CONTROL_BEHAVIOR_WARM_UP_RATE_LIMITER;
  if (warmUp && rule.warmUpPeriodSec <= 0) invalid('warmUpPeriodSec must be > 0 for warm-up');
  if (queue && rule.maxQueueingTimeMs <= 0) invalid('maxQueueingTimeMs must be > 0 for rate limiting');
}

function validateCluster(rule: FlowRule): void {
  const c = rule.clusterConfig;
  if (c === undefined) return invalid('clusterMode needs a clusterConfig');
  if (c.flowId === undefined || c.flowId <= 0) invalid('clusterConfig.flowId must be > 0');
  if (c.sampleCount <= 0 || c.windowIntervalMs <= 0 || c.windowIntervalMs % c.sampleCount !== 0) {
    invalid('clusterConfig.windowIntervalMs must be > 0 and a multiple of sampleCount');
  }
  if (rule.grade === RuleConstant.FLOW_GRADE_QPS) {
    if (c.strategy !== 0) invalid('clusterConfig.strategy must be 0 (NORMAL)');
    return;
  }
  if (c.clientOfflineTime <= 0 || c.resourceTimeout <= 0) {
    invalid('clusterConfig.clientOfflineTime and resourceTimeout must be > 0');
  }
  if (c.acquireRefuseStrategy < 0 || c.resourceTimeoutStrategy < 0) {
    invalid('clusterConfig strategies must be >= 0');
  }
}

/**
 * ParamFlowRule in Sentinel's JSON (sentinel-parameter-flow-control ParamFlowRule.java,
 * ParamFlowItem.java, ParamFlowClusterConfig.java), validated as ParamFlowRuleUtil.isValidRule.
 *
 * Exception items (`paramFlowItemList`) give single parameter values their own threshold. The
 * item's `object` is a string parsed by `classType` as Java does (int/Integer, long/Long,
 * short, byte -> integer; double/float -> number; boolean; char -> first character; anything
 * else, or none, -> the string itself), so `{"object":"42","classType":"int"}` matches the
 * JavaScript argument 42.
 *
 * Deliberately stricter than Java, which skips an unparsable item silently and treats an
 * unknown grade or controlBehavior as the default: those reject the rule, with the reason.
 */
import { RuleConstant } from '../constants.js';
import type { AbstractRule } from '../core/rule.js';
import { invalid, type RuleReader } from '../core/rule-parse.js';

export interface ParamFlowItem {
  readonly object: string;
  readonly count: number;
  readonly classType: string | undefined;
}

export interface ParamFlowClusterConfig {
  readonly flowId: number | undefined;
  readonly thresholdType: number;
  readonly fallbackToLocalWhenFail: boolean;
  readonly sampleCount: number;
  readonly windowIntervalMs: number;
}

export interface ParamFlowRule extends AbstractRule {
  /** 0 THREAD (concurrent calls per value), 1 QPS (per `durationInSec`). */
  readonly grade: number;
  /** Which argument; negative counts from the end (-1 is the last). */
  readonly paramIdx: number;
  readonly count: number;
  /** 0 DEFAULT (token bucket with burst), 2 RATE_LIMITER (queue per value). */
  readonly controlBehavior: number;
  readonly maxQueueingTimeMs: number;
  readonly burstCount: number;
  readonly durationInSec: number;
  readonly paramFlowItemList: readonly ParamFlowItem[];
  readonly clusterMode: boolean;
  readonly clusterConfig: ParamFlowClusterConfig | undefined;
}

export function parseParamFlowRule(r: RuleReader): ParamFlowRule {
  if (!r.has('paramIdx')) invalid('paramIdx is required');
  const cluster = r.obj('clusterConfig');
  const rule: ParamFlowRule = {
    ...r.base(),
    grade: r.int('grade', RuleConstant.FLOW_GRADE_QPS),
    paramIdx: r.int('paramIdx', 0),
    count: r.num('count', 0),
    controlBehavior: r.int('controlBehavior', RuleConstant.CONTROL_BEHAVIOR_DEFAULT),
    maxQueueingTimeMs: r.int('maxQueueingTimeMs', 0),
    burstCount: r.int('burstCount', 0),
    durationInSec: r.int('durationInSec', 1),
    paramFlowItemList: parseItems(r.raw.paramFlowItemList),
    clusterMode: r.bool('clusterMode', false),
    clusterConfig:
      cluster === undefined
        ? undefined
        : {
            flowId: cluster.has('flowId') ? cluster.int('flowId', 0) : undefined,
            thresholdType: cluster.int('thresholdType', 0),
            fallbackToLocalWhenFail: cluster.bool('fallbackToLocalWhenFail', false),
            sampleCount: cluster.int('sampleCount', 10),
            windowIntervalMs: cluster.int('windowIntervalMs', 1000),
          },
  };
  validate(rule);
  return rule;
}

function parseItems(raw: unknown): ParamFlowItem[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) invalid('paramFlowItemList must be an array');
  return raw.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) invalid(`paramFlowItemList[${i}] must be an object`);
    const { object, count, classType } = item as Record<string, unknown>;
    if (typeof object !== 'string') invalid(`paramFlowItemList[${i}].object must be a string`);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      invalid(`paramFlowItemList[${i}].count must be an integer >= 0`);
    }
    if (classType !== undefined && classType !== null && typeof classType !== 'string') {
      invalid(`paramFlowItemList[${i}].classType must be a string`);
    }
    // An item whose object does not parse as its classType is skipped when the rule is
    // compiled (Java's parseHotItems logs and drops it); the rule itself stays in force.
    return { object, count, classType: classType ?? undefined };
  });
}

const INTEGER_TYPES = new Set([
  'int',
  'java.lang.Integer',
  'long',
  'java.lang.Long',
  'short',
  'java.lang.Short',
]);
INTEGER_TYPES.add('byte').add('java.lang.Byte');
const FLOAT_TYPES = new Set(['double', 'java.lang.Double', 'float', 'java.lang.Float']);

/** ParamFlowRuleUtil.parseItemValue: the JavaScript value an exception item matches. */
export function parseItemValue(item: ParamFlowItem, index = 0): unknown {
  const { object, classType } = item;
  if (classType === undefined || classType.trim() === '') return object;
  if (INTEGER_TYPES.has(classType)) {
    if (!/^[-+]?\d+$/.test(object))
      invalid(`paramFlowItemList[${index}].object "${object}" is not an integer`);
    return Number(object);
  }
  if (FLOAT_TYPES.has(classType)) {
    const n = Number(object);
    if (object.trim() === '' || Number.isNaN(n))
      invalid(`paramFlowItemList[${index}].object "${object}" is not a number`);
    return n;
  }
  if (classType === 'boolean' || classType === 'java.lang.Boolean') return object.toLowerCase() === 'true';
  if (classType === 'char') {
    if (object.length === 0) invalid(`paramFlowItemList[${index}].object is an empty char`);
    return object[0];
  }
  return object;
}

function validate(rule: ParamFlowRule): void {
  if (rule.count < 0) invalid('count must be >= 0');
  if (rule.grade !== RuleConstant.FLOW_GRADE_QPS && rule.grade !== RuleConstant.FLOW_GRADE_THREAD) {
    invalid(`grade must be 0 (THREAD) or 1 (QPS), got ${rule.grade}`);
  }
  const behavior = rule.controlBehavior;
  // As in Java (ParamFlowRuleUtil.isValidRule), any code >= 0 loads; all but RATE_LIMITER (2)
  // limit with the token bucket, so warm-up (1) on a hot-parameter rule still limits.
  if (behavior < 0) invalid(`controlBehavior must be >= 0, got ${behavior}`);
  if (rule.burstCount < 0) invalid('burstCount must be >= 0');
  if (rule.durationInSec <= 0) invalid('durationInSec must be > 0');
  if (rule.maxQueueingTimeMs < 0) invalid('maxQueueingTimeMs must be >= 0');
  if (rule.regex && (rule.clusterMode || behavior !== RuleConstant.CONTROL_BEHAVIOR_DEFAULT)) {
    invalid('a regex rule must be local and use controlBehavior 0 (DEFAULT)');
  }
  if (rule.clusterMode) {
    const c = rule.clusterConfig;
    if (c === undefined) return invalid('clusterMode needs a clusterConfig');
    if (c.flowId === undefined || c.flowId <= 0) invalid('clusterConfig.flowId must be > 0');
    if (c.sampleCount <= 0 || c.windowIntervalMs <= 0 || c.windowIntervalMs % c.sampleCount !== 0) {
      invalid('clusterConfig.windowIntervalMs must be > 0 and a multiple of sampleCount');
    }
  }
}

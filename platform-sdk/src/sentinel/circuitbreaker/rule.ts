/**
 * DegradeRule in Sentinel's JSON (sentinel-core .../degrade/DegradeRule.java), validated as
 * DegradeRuleManager.isValidRule does.
 *
 * | grade | strategy            | count means                 |
 * |-------|---------------------|-----------------------------|
 * | 0     | SLOW_REQUEST_RATIO  | max allowed rt (ms)         |
 * | 1     | ERROR_RATIO         | error ratio, 0..1           |
 * | 2     | ERROR_COUNT         | errors per stat interval    |
 */
import { RuleConstant } from '../constants.js';
import type { AbstractRule } from '../core/rule.js';
import { invalid, type RuleReader } from '../core/rule-parse.js';

export interface DegradeRule extends AbstractRule {
  readonly grade: number;
  readonly count: number;
  /** How long the breaker stays OPEN before a probe, in seconds. */
  readonly timeWindow: number;
  /** Fewer requests than this in a stat interval never trip the breaker. */
  readonly minRequestAmount: number;
  /** SLOW_REQUEST_RATIO: the slow ratio above which the breaker opens (1.0 = only when all are slow). */
  readonly slowRatioThreshold: number;
  readonly statIntervalMs: number;
}

export function parseDegradeRule(r: RuleReader): DegradeRule {
  const rule: DegradeRule = {
    ...r.base(),
    grade: r.int('grade', RuleConstant.DEGRADE_GRADE_RT),
    count: r.num('count', 0),
    timeWindow: r.int('timeWindow', 0),
    minRequestAmount: r.int('minRequestAmount', RuleConstant.DEGRADE_DEFAULT_MIN_REQUEST_AMOUNT),
    slowRatioThreshold: r.num('slowRatioThreshold', 1.0),
    statIntervalMs: r.int('statIntervalMs', 1000),
  };
  if (rule.count < 0) invalid('count must be >= 0');
  if (rule.timeWindow <= 0) invalid('timeWindow (seconds the breaker stays open) must be > 0');
  if (rule.minRequestAmount <= 0) invalid('minRequestAmount must be > 0');
  if (rule.statIntervalMs <= 0) invalid('statIntervalMs must be > 0');
  switch (rule.grade) {
    case RuleConstant.DEGRADE_GRADE_RT:
      if (rule.slowRatioThreshold < 0 || rule.slowRatioThreshold > 1)
        invalid('slowRatioThreshold must be in [0, 1]');
      break;
    case RuleConstant.DEGRADE_GRADE_EXCEPTION_RATIO:
      if (rule.count > 1) invalid('count of an error-ratio rule must be in [0, 1]');
      break;
    case RuleConstant.DEGRADE_GRADE_EXCEPTION_COUNT:
      break;
    default:
      invalid(`grade must be 0 (slow request ratio), 1 (error ratio) or 2 (error count), got ${rule.grade}`);
  }
  return rule;
}

/**
 * SystemRule in Sentinel's JSON (sentinel-core .../system/SystemRule.java): thresholds for the
 * whole application's inbound traffic. Every field defaults to -1, meaning "not set".
 * `resource` and `limitApp` are carried for symmetry with other rules but not used.
 *
 * Deliberately stricter than Java: a `highestCpuUsage` above 1 (Java drops that one field
 * with a warning) rejects the rule, and a rule that sets no threshold at all is rejected
 * rather than silently switching the system check off.
 */
import { RuleConstant } from '../constants.js';
import type { AbstractRule } from '../core/rule.js';
import { invalid, type RuleReader } from '../core/rule-parse.js';

export interface SystemRule extends AbstractRule {
  /** Load average (1 min) above which the BBR check applies; -1 off. */
  readonly highestSystemLoad: number;
  /** CPU usage in [0, 1]; -1 off. */
  readonly highestCpuUsage: number;
  /** Inbound QPS; -1 off. */
  readonly qps: number;
  /** Average inbound rt in ms; -1 off. */
  readonly avgRt: number;
  /** Concurrent inbound entries; -1 off. */
  readonly maxThread: number;
}

export function parseSystemRule(r: RuleReader): SystemRule {
  const rule: SystemRule = {
    id: r.has('id') ? r.int('id', 0) : undefined,
    resource: r.str('resource') ?? '',
    limitApp: r.str('limitApp') || RuleConstant.LIMIT_APP_DEFAULT,
    regex: false,
    highestSystemLoad: r.num('highestSystemLoad', -1),
    highestCpuUsage: r.num('highestCpuUsage', -1),
    qps: r.num('qps', -1),
    avgRt: r.int('avgRt', -1),
    maxThread: r.int('maxThread', -1),
  };
  if (rule.highestCpuUsage > 1) invalid('highestCpuUsage is a ratio in [0, 1] (0.8 means 80%)');
  const anySet = [rule.highestSystemLoad, rule.highestCpuUsage, rule.qps, rule.avgRt, rule.maxThread].some(
    (v) => v >= 0,
  );
  if (!anySet)
    invalid('the rule sets no threshold (highestSystemLoad, highestCpuUsage, qps, avgRt, maxThread)');
  return rule;
}

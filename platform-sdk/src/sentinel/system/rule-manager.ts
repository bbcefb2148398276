/**
 * SystemRuleManager: merges all system rules into one set of thresholds — the smallest value
 * of each threshold any rule sets — swapped in one assignment on load.
 */
import { RuleManagerBase } from '../core/rule-manager-base.js';
import { BlockResultCache } from '../core/rule.js';
import { parseRules, type LoadResult } from '../core/rule-parse.js';
import { parseSystemRule, type SystemRule } from './rule.js';

/** One threshold in force, and the rule it came from (named in the block result). */
export interface Threshold {
  readonly value: number;
  readonly rule: SystemRule;
  /** The block this threshold hands out, its limit type as detail (`qps`, `thread`, ...). */
  readonly block: BlockResultCache;
}

export interface SystemThresholds {
  readonly highestSystemLoad: Threshold | undefined;
  readonly highestCpuUsage: Threshold | undefined;
  readonly qps: Threshold | undefined;
  readonly avgRt: Threshold | undefined;
  readonly maxThread: Threshold | undefined;
}

const NONE: SystemThresholds = {
  highestSystemLoad: undefined,
  highestCpuUsage: undefined,
  qps: undefined,
  avgRt: undefined,
  maxThread: undefined,
};

type Field = keyof SystemThresholds;
const FIELDS: readonly Field[] = ['highestSystemLoad', 'highestCpuUsage', 'qps', 'avgRt', 'maxThread'];
/** SystemBlockException's limitType for each threshold. */
const LIMIT_TYPE: Record<Field, string> = {
  highestSystemLoad: 'load',
  highestCpuUsage: 'cpu',
  qps: 'qps',
  avgRt: 'rt',
  maxThread: 'thread',
};

export class SystemRuleManager extends RuleManagerBase {
  #rules: readonly SystemRule[] = [];
  #thresholds: SystemThresholds | undefined;

  loadRules(input: string | readonly unknown[]): LoadResult<SystemRule> {
    const { ok, rules, rejected } = parseRules('system', input, parseSystemRule);
    if (!ok) return { applied: false, rules: this.getRules(), rejected };
    const merged: Record<Field, Threshold | undefined> = { ...NONE };
    for (const rule of rules) {
      for (const field of FIELDS) {
        const value = rule[field];
        const current = merged[field];
        if (value >= 0 && (current === undefined || value < current.value)) {
          merged[field] = { value, rule, block: new BlockResultCache('system', rule, LIMIT_TYPE[field]) };
        }
      }
    }
    this.#rules = rules;
    this.#thresholds = rules.length === 0 ? undefined : merged;
    this.rulesChanged();
    return { applied: true, rules: this.getRules(), rejected };
  }

  hasRules(): boolean {
    return this.#thresholds !== undefined;
  }

  getRules(): SystemRule[] {
    return [...this.#rules];
  }

  /** The merged thresholds, or undefined when no system rule is loaded (checking is off). */
  thresholds(): SystemThresholds | undefined {
    return this.#thresholds;
  }
}

/**
 * ParamFlowRuleManager: validates and loads hot-parameter rules. A rule that survives a reload
 * unchanged keeps its per-value counters (Java keys ParameterMetric's counters by the rule's
 * equality); a changed rule starts afresh. Concurrency per value is kept per resource.
 */
import type { ResourceWrapper } from '../core/resource.js';
import { RuleIndex } from '../core/rule-index.js';
import { RuleManagerBase } from '../core/rule-manager-base.js';
import { ruleKey } from '../core/rule-key.js';
import { parseRules, type LoadResult } from '../core/rule-parse.js';
import { RuleConstant } from '../constants.js';
import { ParamRuleMetric, ParamThreadCounts } from './param-metric.js';
import { parseItemValue, parseParamFlowRule, type ParamFlowItem, type ParamFlowRule } from './rule.js';

export interface CompiledParamFlowRule {
  readonly rule: ParamFlowRule;
  readonly key: string;
  /** Exception items: parsed value -> threshold. */
  readonly hotItems: ReadonlyMap<unknown, number>;
  readonly metric: ParamRuleMetric;
}

export class ParamFlowRuleManager extends RuleManagerBase {
  #index = RuleIndex.empty<CompiledParamFlowRule>();
  readonly #threadCounts = new Map<string, ParamThreadCounts>();

  loadRules(input: string | readonly unknown[]): LoadResult<ParamFlowRule> {
    const { ok, rules, rejected } = parseRules('param-flow', input, parseParamFlowRule);
    if (!ok) return { applied: false, rules: this.getRules(), rejected };
    const existing = new Map(this.#index.all().map((c) => [c.key, c]));
    const compiled: CompiledParamFlowRule[] = [];
    for (const rule of rules) {
      const key = ruleKey(rule);
      if (compiled.some((c) => c.key === key)) continue;
      const kept = existing.get(key);
      const hotItems = new Map<unknown, number>();
      for (const [i, item] of rule.paramFlowItemList.entries()) {
        const value = hotItemValue(item, i);
        if (value.ok) hotItems.set(value.value, item.count);
      }
      compiled.push(kept ?? { rule, key, hotItems, metric: new ParamRuleMetric(rule.durationInSec) });
    }
    this.#index = new RuleIndex(compiled, (c) => c.rule);
    // Concurrency of resources that lost their THREAD rules is forgotten, so re-adding a
    // rule later starts from zero instead of from counts nobody decremented.
    for (const resource of this.#threadCounts.keys()) {
      if (!this.hasThreadRules(this.#index.forName(resource))) this.#threadCounts.delete(resource);
    }
    this.rulesChanged();
    return { applied: true, rules: this.getRules(), rejected };
  }

  hasRules(): boolean {
    return this.#index.size > 0;
  }

  getRules(): ParamFlowRule[] {
    return this.#index.all().map((c) => c.rule);
  }

  rulesOf(resource: ResourceWrapper): readonly CompiledParamFlowRule[] {
    return this.#index.of(resource);
  }

  /** Whether any rule of the resource limits concurrency (only then are calls counted). */
  hasThreadRules(rules: readonly CompiledParamFlowRule[]): boolean {
    for (const c of rules) if (c.rule.grade === RuleConstant.FLOW_GRADE_THREAD) return true;
    return false;
  }

  threadCounts(resource: string): ParamThreadCounts {
    let counts = this.#threadCounts.get(resource);
    if (counts === undefined) {
      counts = new ParamThreadCounts();
      this.#threadCounts.set(resource, counts);
    }
    return counts;
  }
}

/** An exception item's value, or not ok when its object does not parse as its classType. */
function hotItemValue(item: ParamFlowItem, index: number): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseItemValue(item, index) };
  } catch {
    return { ok: false };
  }
}

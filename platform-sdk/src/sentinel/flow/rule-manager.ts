/**
 * FlowRuleManager: validates and loads flow rules, builds one traffic-shaping controller per
 * rule, and swaps the whole set in one assignment, so an entry sees either the old rules or the
 * new ones. Equal rules (Java's FlowRule.equals, i.e. every field but `id`) load once.
 *
 * Deliberate difference: Java rebuilds every controller on every load, so pushing the rule
 * list again (a Nacos edit of one rule) sends every warm-up rule back to cold and forgets every
 * rate limiter's queue. Here a rule that is unchanged keeps its controller; a changed or new
 * rule gets a fresh one, as in Java.
 */
import { DEFAULT_COLD_FACTOR, RuleConstant } from '../constants.js';
import { RuleIndex } from '../core/rule-index.js';
import { RuleManagerBase } from '../core/rule-manager-base.js';
import { parseRules, type LoadResult } from '../core/rule-parse.js';
import { BlockResultCache } from '../core/rule.js';
import type { ResourceWrapper } from '../core/resource.js';
import { ThrottlingController } from './rate-limiter.js';
import { ruleKey } from '../core/rule-key.js';
import { parseFlowRule, type FlowRule } from './rule.js';
import { DefaultController, type TrafficShapingController } from './traffic-shaping.js';
import { WarmUpController, WarmUpRateLimiterController } from './warm-up.js';

export interface CompiledFlowRule {
  readonly rule: FlowRule;
  readonly key: string;
  readonly controller: TrafficShapingController;
  readonly block: BlockResultCache;
}

export class FlowRuleManager extends RuleManagerBase {
  readonly #coldFactor: number;
  #index = RuleIndex.empty<CompiledFlowRule>();

  constructor(coldFactor = DEFAULT_COLD_FACTOR) {
    super();
    if (!(coldFactor > 1)) throw new RangeError(`coldFactor must be > 1, got ${coldFactor}`);
    this.#coldFactor = coldFactor;
  }

  /** Replaces all flow rules with the valid ones of `input` (JSON text or rule objects). */
  loadRules(input: string | readonly unknown[]): LoadResult<FlowRule> {
    const { ok, rules, rejected } = parseRules('flow', input, parseFlowRule);
    if (!ok) return { applied: false, rules: this.getRules(), rejected };
    const existing = new Map(this.#index.all().map((c) => [c.key, c]));
    const seen = new Set<string>();
    const compiled: CompiledFlowRule[] = [];
    for (const rule of rules) {
      const key = ruleKey(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      const kept = existing.get(key);
      const controller = kept?.controller ?? this.#controllerFor(rule);
      compiled.push({ rule, key, controller, block: new BlockResultCache('flow', rule) });
    }
    // FlowRuleComparator: local rules before cluster ones, named origins before `default`.
    const rank = (c: CompiledFlowRule): number =>
      (c.rule.clusterMode ? 2 : 0) + (c.rule.limitApp === RuleConstant.LIMIT_APP_DEFAULT ? 1 : 0);
    compiled.sort((a, b) => rank(a) - rank(b));
    this.#index = new RuleIndex(compiled, (c) => c.rule);
    this.rulesChanged();
    return { applied: true, rules: this.getRules(), rejected };
  }

  hasRules(): boolean {
    return this.#index.size > 0;
  }

  getRules(): FlowRule[] {
    return this.#index.all().map((c) => c.rule);
  }

  rulesOf(resource: ResourceWrapper): readonly CompiledFlowRule[] {
    return this.#index.of(resource);
  }

  hasConfig(resource: string): boolean {
    return this.#index.forName(resource).length > 0;
  }

  /** True when no rule of the resource names `origin` — the callers a `limitApp: other` rule covers. */
  isOtherOrigin(origin: string, rules: readonly CompiledFlowRule[]): boolean {
    if (origin === '') return false;
    for (let i = 0; i < rules.length; i++) if (rules[i]!.rule.limitApp === origin) return false;
    return true;
  }

  #controllerFor(rule: FlowRule): TrafficShapingController {
    if (rule.grade === RuleConstant.FLOW_GRADE_QPS) {
      switch (rule.controlBehavior) {
        case RuleConstant.CONTROL_BEHAVIOR_WARM_UP:
          return new WarmUpController(rule.count, rule.warmUpPeriodSec, this.#coldFactor);
        case RuleConstant.CONTROL_BEHAVIOR_RATE_LIMITER:
          return new ThrottlingController(rule.maxQueueingTimeMs, rule.count);
        case RuleConstant.CONTROL_BEHAVIOR_WARM_UP_RATE_LIMITER:
          return new WarmUpRateLimiterController(
            rule.count,
            rule.warmUpPeriodSec,
            rule.maxQueueingTimeMs,
            this.#coldFactor,
          );
        default:
          break;
      }
    }
    return new DefaultController(rule.count, rule.grade);
  }
}

/**
 * FlowSlot: checks each flow rule of the resource against the node the rule selects
 * (FlowRuleChecker.selectNodeByRequesterAndStrategy):
 *
 * | limitApp                                  | DIRECT          | RELATE / CHAIN          |
 * |-------------------------------------------|-----------------|-------------------------|
 * | the caller's origin (not default/other)   | origin node     | reference node          |
 * | `default`                                 | ClusterNode     | reference node          |
 * | `other`, and no rule names this origin    | origin node     | reference node          |
 * | anything else                             | rule skipped    | rule skipped            |
 *
 * The reference node is refResource's ClusterNode for RELATE, and this entry's DefaultNode for
 * CHAIN when the context name is refResource (else the rule is skipped). A cluster-mode rule
 * has no token server to ask here, so it falls back to a local check, or passes when
 * `fallbackToLocalWhenFail` is false — what Java does when the token service is unavailable.
 */
import { RuleConstant } from '../constants.js';
import type { Context } from '../core/context.js';
import type { Entry } from '../core/entry.js';
import type { ResourceRegistry } from '../core/resource.js';
import type { BlockResult } from '../core/rule.js';
import type { ProcessorSlot } from '../core/slot-chain.js';
import type { StatisticNode } from '../core/statistic-node.js';
import type { CompiledFlowRule, FlowRuleManager } from './rule-manager.js';
import type { FlowRule } from './rule.js';
import { BLOCKED } from './traffic-shaping.js';

export class FlowSlot implements ProcessorSlot {
  readonly name = 'flow';
  readonly #manager: FlowRuleManager;
  readonly #registry: ResourceRegistry;

  constructor(manager: FlowRuleManager, registry: ResourceRegistry) {
    this.#manager = manager;
    this.#registry = registry;
  }

  isActive(): boolean {
    return this.#manager.hasRules();
  }

  entry(context: Context, entry: Entry): BlockResult | null {
    const rules = this.#manager.rulesOf(entry.resource);
    for (let i = 0; i < rules.length; i++) {
      const c = rules[i]!;
      if (c.rule.clusterMode && c.rule.clusterConfig?.fallbackToLocalWhenFail === false) continue;
      const node = this.#selectNode(c.rule, context, entry, rules);
      if (node === null) continue;
      const wait = c.controller.canPass(node, entry.batchCount);
      if (wait === BLOCKED) return c.block.for(entry.resource.name);
      // Java sleeps once per queueing rule, one after the other: the waits add up.
      entry.waitMs += wait;
    }
    return null;
  }

  #selectNode(
    rule: FlowRule,
    context: Context,
    entry: Entry,
    rules: readonly CompiledFlowRule[],
  ): StatisticNode | null {
    const limitApp = rule.limitApp;
    const origin = context.origin;
    const direct = rule.strategy === RuleConstant.STRATEGY_DIRECT;
    if (
      limitApp === origin &&
      origin !== RuleConstant.LIMIT_APP_DEFAULT &&
      origin !== RuleConstant.LIMIT_APP_OTHER
    ) {
      return direct ? entry.originNode : this.#referenceNode(rule, context, entry);
    }
    if (limitApp === RuleConstant.LIMIT_APP_DEFAULT) {
      return direct ? entry.node!.clusterNode : this.#referenceNode(rule, context, entry);
    }
    if (limitApp === RuleConstant.LIMIT_APP_OTHER && this.#manager.isOtherOrigin(origin, rules)) {
      return direct ? entry.originNode : this.#referenceNode(rule, context, entry);
    }
    return null;
  }

  #referenceNode(rule: FlowRule, context: Context, entry: Entry): StatisticNode | null {
    const ref = rule.refResource;
    if (ref === undefined || ref === '') return null;
    if (rule.strategy === RuleConstant.STRATEGY_RELATE) return this.#registry.clusterNode(ref) ?? null;
    if (rule.strategy === RuleConstant.STRATEGY_CHAIN) return ref === context.name ? entry.node : null;
    return null;
  }
}

/**
 * The default slot chain, in one place. The order is Java's (the @Spi order constants of
 * Constants.java and ParamFlowSlot):
 *
 *   NodeSelectorSlot, ClusterBuilderSlot   -> Sentinel.entry() picks the nodes
 *   StatisticSlot                          -> SlotChain records pass/block/rt around the checks
 *   FlowSlot            (-2000)
 *   DegradeSlot         (-1000)   circuit breakers, last: a probe is let through only when
 *                                 every other rule has admitted the entry
 *
 * Statistics count an entry only once every check below has passed.
 */
import type { ResourceRegistry } from './core/resource.js';
import type { ProcessorSlot } from './core/slot-chain.js';
import type { FlowRuleManager } from './flow/rule-manager.js';
import { FlowSlot } from './flow/slot.js';
import type { DegradeRuleManager } from './circuitbreaker/rule-manager.js';
import { DegradeSlot } from './circuitbreaker/slot.js';

export interface RuleManagers {
  readonly flowRules: FlowRuleManager;
  readonly degradeRules: DegradeRuleManager;
}

export function buildDefaultSlots(managers: RuleManagers, registry: ResourceRegistry): ProcessorSlot[] {
  return [new FlowSlot(managers.flowRules, registry), new DegradeSlot(managers.degradeRules)];
}

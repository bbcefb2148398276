/**
 * The default slot chain, in one place. The order is Java's (the @Spi order constants of
 * Constants.java and ParamFlowSlot):
 *
 *   NodeSelectorSlot, ClusterBuilderSlot   -> Sentinel.entry() picks the nodes
 *   StatisticSlot                          -> SlotChain records pass/block/rt around the checks
 *   FlowSlot            (-2000)
 *
 * Statistics count an entry only once every check below has passed.
 */
import type { ResourceRegistry } from './core/resource.js';
import type { ProcessorSlot } from './core/slot-chain.js';
import type { FlowRuleManager } from './flow/rule-manager.js';
import { FlowSlot } from './flow/slot.js';

export interface RuleManagers {
  readonly flowRules: FlowRuleManager;
}

export function buildDefaultSlots(managers: RuleManagers, registry: ResourceRegistry): ProcessorSlot[] {
  return [new FlowSlot(managers.flowRules, registry)];
}

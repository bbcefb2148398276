/**
 * The default slot chain, in one place. The order is Java's (the @Spi order constants of
 * Constants.java and ParamFlowSlot):
 *
 *   NodeSelectorSlot, ClusterBuilderSlot   -> Sentinel.entry() picks the nodes
 *   StatisticSlot                          -> SlotChain records pass/block/rt around the checks
 *   AuthoritySlot       (-6000)   who may call at all
 *   SystemSlot          (-5000)   the whole application's inbound capacity
 *   ParamFlowSlot       (-3000)   per argument value
 *   FlowSlot            (-2000)
 *   DegradeSlot         (-1000)   circuit breakers, last: a probe is let through only when
 *                                 every other rule has admitted the entry
 *
 * Statistics count an entry only once every check below has passed.
 */
import { AuthoritySlot } from './authority/slot.js';
import type { AuthorityRuleManager } from './authority/rule-manager.js';
import type { DegradeRuleManager } from './circuitbreaker/rule-manager.js';
import { DegradeSlot } from './circuitbreaker/slot.js';
import type { ResourceRegistry } from './core/resource.js';
import type { RuleManagerBase } from './core/rule-manager-base.js';
import { SlotChain } from './core/slot-chain.js';
import type { FlowRuleManager } from './flow/rule-manager.js';
import { FlowSlot } from './flow/slot.js';
import type { ParamFlowRuleManager } from './hotspot/rule-manager.js';
import { ParamFlowSlot } from './hotspot/slot.js';
import type { SystemRuleManager } from './system/rule-manager.js';
import { SystemSlot } from './system/slot.js';
import type { SystemStatusProvider } from './system/system-status.js';

export interface RuleManagers {
  readonly flowRules: FlowRuleManager;
  readonly degradeRules: DegradeRuleManager;
  readonly systemRules: SystemRuleManager;
  readonly authorityRules: AuthorityRuleManager;
  readonly paramFlowRules: ParamFlowRuleManager;
}

export function buildDefaultSlotChain(
  managers: RuleManagers,
  registry: ResourceRegistry,
  systemStatus: SystemStatusProvider,
  shouldTrace: (err: unknown) => boolean,
): SlotChain {
  const chain = new SlotChain(
    [
      new AuthoritySlot(managers.authorityRules),
      new SystemSlot(managers.systemRules, registry.entryNode, systemStatus),
      new ParamFlowSlot(managers.paramFlowRules),
      new FlowSlot(managers.flowRules, registry),
      new DegradeSlot(managers.degradeRules),
    ],
    registry.entryNode,
    shouldTrace,
  );
  // A protection without rules is left out of the chain until rules arrive.
  const all: RuleManagerBase[] = [
    managers.authorityRules,
    managers.systemRules,
    managers.paramFlowRules,
    managers.flowRules,
    managers.degradeRules,
  ];
  for (const manager of all) manager.onRulesChanged(() => chain.refresh());
  return chain;
}

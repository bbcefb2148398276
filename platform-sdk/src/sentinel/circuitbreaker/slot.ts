/**
 * DegradeSlot: refuses entries while a breaker of the resource is OPEN (or HALF_OPEN with its
 * probe out), and feeds every admitted entry's completion to the breakers on exit.
 */
import type { Context } from '../core/context.js';
import type { Entry } from '../core/entry.js';
import type { BlockResult } from '../core/rule.js';
import type { ProcessorSlot } from '../core/slot-chain.js';
import type { DegradeRuleManager } from './rule-manager.js';

export class DegradeSlot implements ProcessorSlot {
  readonly name = 'degrade';
  readonly #manager: DegradeRuleManager;

  constructor(manager: DegradeRuleManager) {
    this.#manager = manager;
  }

  isActive(): boolean {
    return this.#manager.hasRules();
  }

  entry(_context: Context, entry: Entry): BlockResult | null {
    const breakers = this.#manager.circuitBreakersOf(entry.resource);
    for (let i = 0; i < breakers.length; i++) {
      const cb = breakers[i]!;
      if (!cb.tryPass(entry)) return cb.block.for(entry.resource.name);
    }
    return null;
  }

  onExit(entry: Entry): void {
    const breakers = this.#manager.circuitBreakersOf(entry.resource);
    for (let i = 0; i < breakers.length; i++) breakers[i]!.onRequestComplete(entry);
  }
}

/**
 * AuthoritySlot (AuthorityRuleChecker): a caller with an empty origin always passes; otherwise
 * a white list refuses origins it does not name and a black list refuses those it does. The
 * block reports the refused origin as its limitApp, as Java's AuthorityException does.
 */
import type { Context } from '../core/context.js';
import type { Entry } from '../core/entry.js';
import { blockResult, type BlockResult } from '../core/rule.js';
import type { ProcessorSlot } from '../core/slot-chain.js';
import type { AuthorityRuleManager } from './rule-manager.js';

export class AuthoritySlot implements ProcessorSlot {
  readonly name = 'authority';
  readonly #manager: AuthorityRuleManager;

  constructor(manager: AuthorityRuleManager) {
    this.#manager = manager;
  }

  isActive(): boolean {
    return this.#manager.hasRules();
  }

  entry(context: Context, entry: Entry): BlockResult | null {
    const rules = this.#manager.rulesOf(entry.resource);
    if (rules.length === 0 || context.origin === '') return null;
    for (let i = 0; i < rules.length; i++) {
      const c = rules[i]!;
      if (c.apps.has(context.origin) === c.black) {
        return blockResult('authority', entry.resource.name, c.rule, undefined, context.origin);
      }
    }
    return null;
  }
}

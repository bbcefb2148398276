/**
 * AuthorityRuleManager: validates and loads authority rules, each with its origin list split
 * once at load time, swapped in one assignment.
 */
import { RuleConstant } from '../constants.js';
import type { ResourceWrapper } from '../core/resource.js';
import { RuleIndex } from '../core/rule-index.js';
import { RuleManagerBase } from '../core/rule-manager-base.js';
import { ruleKey } from '../core/rule-key.js';
import { parseRules, type LoadResult } from '../core/rule-parse.js';
import { parseAuthorityRule, type AuthorityRule } from './rule.js';

export interface CompiledAuthorityRule {
  readonly rule: AuthorityRule;
  readonly apps: ReadonlySet<string>;
  readonly black: boolean;
}

export class AuthorityRuleManager extends RuleManagerBase {
  #index = RuleIndex.empty<CompiledAuthorityRule>();

  loadRules(input: string | readonly unknown[]): LoadResult<AuthorityRule> {
    const { ok, rules, rejected } = parseRules('authority', input, parseAuthorityRule);
    if (!ok) return { applied: false, rules: this.getRules(), rejected };
    const seen = new Set<string>();
    const compiled: CompiledAuthorityRule[] = [];
    for (const rule of rules) {
      const key = ruleKey(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      compiled.push({
        rule,
        apps: new Set(rule.limitApp.split(',')),
        black: rule.strategy === RuleConstant.AUTHORITY_BLACK,
      });
    }
    this.#index = new RuleIndex(compiled, (c) => c.rule);
    this.rulesChanged();
    return { applied: true, rules: this.getRules(), rejected };
  }

  hasRules(): boolean {
    return this.#index.size > 0;
  }

  getRules(): AuthorityRule[] {
    return this.#index.all().map((c) => c.rule);
  }

  rulesOf(resource: ResourceWrapper): readonly CompiledAuthorityRule[] {
    return this.#index.of(resource);
  }
}

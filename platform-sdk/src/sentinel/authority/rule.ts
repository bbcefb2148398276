/**
 * AuthorityRule in Sentinel's JSON (sentinel-core .../authority/AuthorityRule.java): a white
 * or black list of origins in `limitApp`, comma-separated, matched exactly (no trimming, as
 * Java's `split(",")`). Validated as AuthorityRuleManager.isValidRule, and an unknown
 * `strategy` is rejected instead of loading a rule that never applies.
 */
import { RuleConstant } from '../constants.js';
import type { AbstractRule } from '../core/rule.js';
import { invalid, type RuleReader } from '../core/rule-parse.js';

export interface AuthorityRule extends AbstractRule {
  /** 0 WHITE (only the listed origins pass), 1 BLACK (the listed origins are refused). */
  readonly strategy: number;
}

export function parseAuthorityRule(r: RuleReader): AuthorityRule {
  const rule: AuthorityRule = { ...r.base(true), strategy: r.int('strategy', RuleConstant.AUTHORITY_WHITE) };
  if (rule.strategy !== RuleConstant.AUTHORITY_WHITE && rule.strategy !== RuleConstant.AUTHORITY_BLACK) {
    invalid(`strategy must be 0 (WHITE) or 1 (BLACK), got ${rule.strategy}`);
  }
  return rule;
}

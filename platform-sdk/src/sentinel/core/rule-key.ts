/**
 * Rule identity as Java's `equals` sees it: every field except `id` (AbstractRule.equals
 * ignores it). Equal rules load once, and a rule that survives a reload unchanged keeps its
 * runtime state where Java keeps it (circuit breakers, hot-parameter counters).
 */
import type { AbstractRule } from './rule.js';

export function ruleKey(rule: AbstractRule): string {
  return JSON.stringify({ ...rule, id: undefined });
}

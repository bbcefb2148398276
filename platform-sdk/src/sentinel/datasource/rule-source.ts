/**
 * The rule-source port. Sentinel declares what it needs — "give me the JSON text of one kind of
 * rule, now and whenever it changes" — and a source implements it: a local file here, Nacos in
 * `nacos/` (dataIds such as `${app}-flow-rules`, group SENTINEL_GROUP, by convention).
 *
 * Contract for implementations:
 * - `subscribe` resolves once the current content has been delivered to `onRules` (or the
 *   failure to `onError`), and delivers every later change in order;
 * - empty text means "no rules of this kind" (a deleted Nacos dataId clears the rules);
 * - a source that cannot read reports `onError` and keeps trying; the engine keeps the last
 *   rules it loaded;
 * - `close()` stops delivery.
 */
import type { RuleKind } from '../core/rule-parse.js';

export interface RuleSourceListener {
  onRules(text: string): void;
  onError?(error: unknown): void;
}

export interface RuleSubscription {
  close(): Promise<void>;
}

export interface RuleSource {
  /** For messages: e.g. `file:/etc/app/flow.json`, `nacos:orders-flow-rules@SENTINEL_GROUP`. */
  readonly name: string;
  subscribe(kind: RuleKind, listener: RuleSourceListener): Promise<RuleSubscription>;
}

/** The kinds of rule a source can carry, under spring-cloud-alibaba's `rule-type` names. */
export const RULE_KINDS: readonly RuleKind[] = ['flow', 'degrade', 'system', 'authority', 'param-flow'];

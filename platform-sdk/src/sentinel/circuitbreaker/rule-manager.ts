/**
 * DegradeRuleManager: validates and loads degrade rules and keeps one circuit breaker per rule.
 * On reload a breaker whose rule is unchanged (every field but `id`) is kept with its state and
 * statistics, as Java's getExistingSameCbOrNew does; changed or new rules start CLOSED.
 * State-change listeners (EventObserverRegistry) hear every transition of every breaker.
 */
import type { SentinelClock } from '../core/clock.js';
import type { ResourceWrapper } from '../core/resource.js';
import { RuleIndex } from '../core/rule-index.js';
import { RuleManagerBase } from '../core/rule-manager-base.js';
import { parseRules, type LoadResult } from '../core/rule-parse.js';
import { ruleKey } from '../core/rule-key.js';
import { CircuitBreaker, type CircuitBreakerState, type StateChangeListener } from './circuit-breaker.js';
import { parseDegradeRule, type DegradeRule } from './rule.js';

export class DegradeRuleManager extends RuleManagerBase {
  readonly #clock: SentinelClock;
  #index = RuleIndex.empty<CircuitBreaker>();
  #listeners: StateChangeListener[] = [];

  constructor(clock: SentinelClock) {
    super();
    this.#clock = clock;
  }

  loadRules(input: string | readonly unknown[]): LoadResult<DegradeRule> {
    const { ok, rules, rejected } = parseRules('degrade', input, parseDegradeRule);
    if (!ok) return { applied: false, rules: this.getRules(), rejected };
    const existing = new Map(this.#index.all().map((cb) => [ruleKey(cb.rule), cb]));
    const seen = new Set<string>();
    const breakers: CircuitBreaker[] = [];
    for (const rule of rules) {
      const key = ruleKey(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      breakers.push(existing.get(key) ?? new CircuitBreaker(rule, this.#clock, this.#notify));
    }
    this.#index = new RuleIndex(breakers, (cb) => cb.rule);
    this.rulesChanged();
    return { applied: true, rules: this.getRules(), rejected };
  }

  hasRules(): boolean {
    return this.#index.size > 0;
  }

  getRules(): DegradeRule[] {
    return this.#index.all().map((cb) => cb.rule);
  }

  circuitBreakersOf(resource: ResourceWrapper): readonly CircuitBreaker[] {
    return this.#index.of(resource);
  }

  /** The breakers of a resource name, e.g. to show their state. */
  circuitBreakers(resource: string): readonly CircuitBreaker[] {
    return this.#index.forName(resource);
  }

  /** Registers a state-change listener; returns the function that removes it. */
  onStateChange(listener: StateChangeListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  // A listener that throws must not break the request that caused the transition.
  readonly #notify = (
    prev: CircuitBreakerState,
    next: CircuitBreakerState,
    rule: DegradeRule,
    snapshot: number | undefined,
  ): void => {
    for (const listener of this.#listeners) {
      try {
        listener(prev, next, rule, snapshot);
      } catch (err) {
        process.emitWarning(
          err instanceof Error ? err : new Error(String(err)),
          'SentinelStateListenerError',
        );
      }
    }
  };
}

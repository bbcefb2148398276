/**
 * The rules of one kind, indexed by resource, swapped as a whole on every load (Java's
 * RuleManager). Regex rules (`regex: true`) apply to every resource whose name they fully
 * match. The answer for a resource is cached by the resource's dense id, so the hot path reads
 * an array slot instead of hashing the resource name.
 */
import type { ResourceWrapper } from './resource.js';
import type { AbstractRule } from './rule.js';
import { compileResourcePattern } from './rule-parse.js';

const NONE: readonly never[] = Object.freeze([]);

export class RuleIndex<C> {
  readonly #all: readonly C[];
  readonly #exact = new Map<string, C[]>();
  readonly #regex: { pattern: RegExp; items: C[] }[] = [];
  #byId: (readonly C[] | undefined)[] = [];

  constructor(items: readonly C[], ruleOf: (item: C) => AbstractRule) {
    this.#all = items;
    const patterns = new Map<string, { pattern: RegExp; items: C[] }>();
    for (const item of items) {
      const rule = ruleOf(item);
      if (rule.regex) {
        let group = patterns.get(rule.resource);
        if (group === undefined) {
          group = { pattern: compileResourcePattern(rule.resource), items: [] };
          patterns.set(rule.resource, group);
          this.#regex.push(group);
        }
        group.items.push(item);
      } else {
        const list = this.#exact.get(rule.resource);
        if (list === undefined) this.#exact.set(rule.resource, [item]);
        else list.push(item);
      }
    }
  }

  static empty<C>(): RuleIndex<C> {
    return new RuleIndex<C>([], () => ({ resource: '', limitApp: '', regex: false }));
  }

  /** The rules of `resource`, cached by its id. */
  of(resource: ResourceWrapper): readonly C[] {
    const cached = this.#byId[resource.id];
    if (cached !== undefined) return cached;
    const rules = this.forName(resource.name);
    this.#byId[resource.id] = rules;
    return rules;
  }

  forName(name: string): readonly C[] {
    const exact = this.#exact.get(name);
    if (this.#regex.length === 0) return exact ?? NONE;
    const matched: C[] = exact === undefined ? [] : [...exact];
    for (const group of this.#regex) if (group.pattern.test(name)) matched.push(...group.items);
    return matched.length === 0 ? NONE : matched;
  }

  get size(): number {
    return this.#all.length;
  }

  /** Every rule, in load order. */
  all(): readonly C[] {
    return this.#all;
  }

  /** Resource names with exact (non-regex) rules. */
  resources(): IterableIterator<string> {
    return this.#exact.keys();
  }
}

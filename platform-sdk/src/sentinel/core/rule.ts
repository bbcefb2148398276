/**
 * What every rule shares (Java's AbstractRule), and the result of being blocked by one.
 * Being blocked is a result, not an exception: `entry()` returns a `BlockResult` naming the
 * rule and the kind of protection, and only the async wrapper turns it into a coded error.
 */

export interface AbstractRule {
  readonly id?: number | undefined;
  /** Resource name, or a Java regex (full match) when `regex` is true. */
  readonly resource: string;
  /** `default` (any caller), `other` (callers no other rule names), or an origin name. */
  readonly limitApp: string;
  readonly regex: boolean;
}

/** The protections, as the BlockException subclasses are named in Java. */
export type BlockKind = 'flow' | 'degrade' | 'system' | 'authority' | 'param-flow';

export interface BlockResult {
  readonly blocked: true;
  readonly kind: BlockKind;
  /** The resource that was entered. */
  readonly resource: string;
  /** The rule that blocked. */
  readonly rule: AbstractRule;
  /**
   * Java's BlockException.getRuleLimitApp(): the rule's limitApp, except for authority blocks,
   * where Java reports the refused origin.
   */
  readonly limitApp: string;
  /**
   * What tripped: the system limit type (`qps`, `thread`, `rt`, `load`, `cpu`) or the hot
   * parameter value, as Java's SystemBlockException / ParamFlowException carry it.
   */
  readonly detail?: string | undefined;
}

export function blockResult(
  kind: BlockKind,
  resource: string,
  rule: AbstractRule,
  detail?: string,
  limitApp: string = rule.limitApp,
): BlockResult {
  return Object.freeze({ blocked: true, kind, resource, rule, limitApp, detail });
}

/**
 * A block result per resource for one rule, created once: a rule that blocks a flood of
 * requests hands back the same frozen object instead of allocating one per request.
 */
export class BlockResultCache {
  readonly #kind: BlockKind;
  readonly #rule: AbstractRule;
  readonly #detail: string | undefined;
  #resource = '';
  #result: BlockResult | undefined;

  constructor(kind: BlockKind, rule: AbstractRule, detail?: string) {
    this.#kind = kind;
    this.#rule = rule;
    this.#detail = detail;
  }

  for(resource: string): BlockResult {
    if (this.#result === undefined || this.#resource !== resource) {
      this.#result = blockResult(this.#kind, resource, this.#rule, this.#detail);
      this.#resource = resource;
    }
    return this.#result;
  }
}

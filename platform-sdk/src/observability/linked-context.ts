/**
 * An OpenTelemetry `Context` as a chain of one-entry links. The API's own context copies its
 * whole Map on every `setValue`; a request sets two values (the service's scope, then its
 * server span), so that was two Map copies per request for values read a handful of times.
 * Here a `setValue` is one small object; a chain grown past a few links is folded back into
 * the API's context, so lookups stay short however contexts are derived.
 */
import type { Context } from '@opentelemetry/api';

const MAX_DEPTH = 8;

export class LinkedContext implements Context {
  private readonly depth: number;

  private constructor(
    private readonly parent: Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {
    this.depth = parent instanceof LinkedContext ? parent.depth + 1 : 1;
  }

  /** `parent` with `key` set to `value`. */
  static with(parent: Context, key: symbol, value: unknown): Context {
    const next = new LinkedContext(parent, key, value);
    return next.depth > MAX_DEPTH ? next.fold() : next;
  }

  getValue(key: symbol): unknown {
    if (this.key === key) return this.value;
    let at = this.parent;
    while (at instanceof LinkedContext) {
      if (at.key === key) return at.value;
      at = at.parent;
    }
    return at.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return LinkedContext.with(this, key, value);
  }

  deleteValue(key: symbol): Context {
    // An undefined value hides the key from getValue, which is all deleting means.
    return LinkedContext.with(this, key, undefined);
  }

  /** The same entries in the API's Map-backed context. */
  private fold(): Context {
    const links: LinkedContext[] = [this];
    let at = this.parent;
    while (at instanceof LinkedContext) {
      links.push(at);
      at = at.parent;
    }
    let base = at;
    // Oldest first, so the newest value of a key wins.
    for (let i = links.length - 1; i >= 0; i--) {
      const l = links[i]!;
      base = l.value === undefined ? base.deleteValue(l.key) : base.setValue(l.key, l.value);
    }
    return base;
  }
}

/**
 * Reading rules in Sentinel's own JSON — the Java bean field names, integer enums and defaults
 * — one rule at a time. A rule with a wrong type or an invalid value is rejected alone, with
 * the reason; the others load. Text that is not a JSON array rejects the whole update, and the
 * caller keeps the rules it had (a half-read document is not a rule set).
 *
 * Unknown fields are ignored, as Java's JSON binding does (the dashboard adds `app`, `ip`,
 * `gmtCreate`, ... to the rules it pushes).
 */
import { RuleConstant } from '../constants.js';
import { SentinelRuleInvalidError } from '../errors.js';
import type { AbstractRule } from './rule.js';

/** Rule kinds under the names spring-cloud-alibaba's `rule-type` uses. */
export type RuleKind = 'flow' | 'degrade' | 'system' | 'authority' | 'param-flow';

export interface RuleRejection {
  /** Position in the submitted array; -1 when the whole document was unreadable. */
  readonly index: number;
  readonly reason: string;
  readonly rule: unknown;
  readonly error: SentinelRuleInvalidError;
}

export interface LoadResult<R> {
  /** False when the document was unreadable and the previous rules were kept. */
  readonly applied: boolean;
  /** The rules now in force (all of them after an applied load). */
  readonly rules: readonly R[];
  readonly rejected: readonly RuleRejection[];
}

class RuleInvalid extends Error {}

/** Rejects the rule being read with `reason`. */
export function invalid(reason: string): never {
  throw new RuleInvalid(reason);
}

/** Typed, defaulted access to one raw rule object. */
export class RuleReader {
  readonly raw: Record<string, unknown>;

  constructor(raw: Record<string, unknown>) {
    this.raw = raw;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  num(name: string, def: number): number {
    const v = this.raw[name];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || !Number.isFinite(v))
      invalid(`${name} must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  int(name: string, def: number): number {
    const v = this.num(name, def);
    if (!Number.isInteger(v)) invalid(`${name} must be an integer, got ${v}`);
    return v;
  }

  str(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') invalid(`${name} must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw[name];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') invalid(`${name} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  obj(name: string): RuleReader | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) invalid(`${name} must be an object`);
    return new RuleReader(v as Record<string, unknown>);
  }

  /**
   * AbstractRule's fields. `resource` must not be blank; a blank `limitApp` becomes `default`
   * unless `requireLimitApp` (authority rules need a real list); a `regex` resource must compile.
   */
  base(requireLimitApp = false): AbstractRule {
    const resource = this.str('resource');
    if (resource === undefined || resource.trim() === '') invalid('resource must not be blank');
    const rawLimitApp = this.str('limitApp');
    const blank = rawLimitApp === undefined || rawLimitApp.trim() === '';
    if (requireLimitApp && blank) invalid('limitApp must list at least one origin');
    const regex = this.bool('regex', false);
    if (regex) compileResourcePattern(resource);
    const id = this.has('id') ? this.int('id', 0) : undefined;
    return { id, resource, limitApp: blank ? RuleConstant.LIMIT_APP_DEFAULT : rawLimitApp, regex };
  }
}

/** Java matches a regex resource with `Pattern.matcher(name).matches()`: a full match. */
export function compileResourcePattern(resource: string): RegExp {
  try {
    return new RegExp(`^(?:${resource})$`);
  } catch {
    return invalid(`resource "${resource}" is not a valid regular expression`);
  }
}

/**
 * Reads `input` (JSON text or already-parsed values) rule by rule with `parseOne`.
 * `ok` is false only when the document itself is unreadable.
 */
export function parseRules<R>(
  kind: RuleKind,
  input: string | readonly unknown[],
  parseOne: (reader: RuleReader) => R,
): { ok: boolean; rules: R[]; rejected: RuleRejection[] } {
  let items: readonly unknown[];
  try {
    items = typeof input === 'string' ? parseDocument(input) : input;
  } catch (err) {
    return { ok: false, rules: [], rejected: [reject(kind, -1, (err as Error).message, input)] };
  }
  const rules: R[] = [];
  const rejected: RuleRejection[] = [];
  items.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      rejected.push(reject(kind, index, 'a rule must be a JSON object', raw));
      return;
    }
    try {
      rules.push(parseOne(new RuleReader(raw as Record<string, unknown>)));
    } catch (err) {
      if (!(err instanceof RuleInvalid)) throw err;
      rejected.push(reject(kind, index, err.message, raw));
    }
  });
  return { ok: true, rules, rejected };
}

// Empty text is "no rules" (a deleted Nacos dataId clears the rules, as in spring-cloud-alibaba).
function parseDocument(text: string): readonly unknown[] {
  if (text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the document is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(doc)) throw new Error('the document must be a JSON array of rules');
  return doc;
}

function reject(kind: RuleKind, index: number, reason: string, rule: unknown): RuleRejection {
  return { index, reason, rule, error: new SentinelRuleInvalidError(kind, index, reason, rule) };
}

/**
 * `${key}` and `${key:default}` resolution with Spring's rules: placeholders may nest
 * (`${a:${b:x}}`), may be embedded in text, resolve against the merged properties first and
 * then the environment lookup, and an unresolvable one without default is an error.
 */
import { PlaceholderError } from './errors.js';
import type { FlatConfig } from './flatten.js';

export type Lookup = (key: string) => string | undefined;

/** Index of the `}` closing the `${` at `start`, honouring nesting; -1 when unclosed. */
function closing(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits `key:default` at the first `:` outside a nested placeholder. */
function splitDefault(body: string): [string, string | undefined] {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('${', i)) {
      depth++;
      i++;
    } else if (body[i] === '}') depth--;
    else if (body[i] === ':' && depth === 0) return [body.slice(0, i), body.slice(i + 1)];
  }
  return [body, undefined];
}

export function resolveText(
  text: string,
  lookup: Lookup,
  owner: string,
  seen: ReadonlySet<string> = new Set(),
): string {
  let out = '';
  let i = 0;
  for (;;) {
    const start = text.indexOf('${', i);
    if (start < 0) return out + text.slice(i);
    const end = closing(text, start);
    if (end < 0) return out + text.slice(i);
    out += text.slice(i, start);
    const [rawKey, fallback] = splitDefault(text.slice(start + 2, end));
    const key = resolveText(rawKey, lookup, owner, seen);
    if (seen.has(key)) throw new PlaceholderError(owner, `circular reference through '${key}'`);
    const found = lookup(key);
    if (found !== undefined) out += resolveText(found, lookup, owner, new Set([...seen, key]));
    else if (fallback !== undefined) out += resolveText(fallback, lookup, owner, seen);
    else throw new PlaceholderError(owner, `no value for '${key}' and no default`);
    i = end + 1;
  }
}

/** Resolves every string value of `flat`; `env` is consulted after the properties themselves. */
export function resolvePlaceholders(flat: FlatConfig, env: Lookup): FlatConfig {
  const lookup: Lookup = (key) => {
    const v = flat.get(key);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    return env(key);
  };

  const out: FlatConfig = new Map();
  for (const [k, v] of flat) out.set(k, typeof v === 'string' ? resolveText(v, lookup, k, new Set([k])) : v);
  return out;
}

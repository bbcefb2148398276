/**
 * Reading Spring-named properties (`management.tracing.sampling.probability`,
 * `logging.level.root`) from a flat property map as `config/` produces it: dotted keys, lists
 * as `key[0]`, values as YAML/properties gave them (strings from .properties, typed from YAML).
 * Spring's relaxed binding is honoured where Java users rely on it: `B3_MULTI`, `b3_multi`
 * and `b3-multi` name the same propagation type, and a list may be a comma-separated string.
 */
import { ObservabilityConfigError } from './errors.js';

export type Properties = ReadonlyMap<string, unknown>;

export function str(props: Properties, key: string): string | undefined {
  const v = props.get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ObservabilityConfigError(key, v, 'a single value');
}

export function bool(props: Properties, key: string): boolean | undefined {
  const v = str(props, key)?.toLowerCase();
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ObservabilityConfigError(key, v, 'true or false');
}

export function fraction(props: Properties, key: string): number | undefined {
  const v = str(props, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new ObservabilityConfigError(key, v, 'a number from 0 to 1');
  return n;
}

export function url(props: Properties, key: string): string | undefined {
  const v = str(props, key);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return v;
  } catch {
    // reported below
  }
  throw new ObservabilityConfigError(key, v, 'an http(s) URL');
}

/** A list property: `key: a,b`, or YAML `key: [a, b]` flattened to `key[0]`, `key[1]`. */
export function list(props: Properties, key: string): string[] | undefined {
  const single = props.get(key);
  if (typeof single === 'string')
    return single
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const items: string[] = [];
  for (let i = 0; props.has(`${key}[${i}]`); i++) items.push(String(props.get(`${key}[${i}]`)).trim());
  return items.length > 0 ? items : undefined;
}

/** Keys directly under `prefix.` (one level of a map property such as `logging.level.*`). */
export function mapUnder(props: Properties, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  const p = `${prefix}.`;
  for (const [k, v] of props) {
    if (!k.startsWith(p)) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out.set(k.slice(p.length), String(v));
  }
  return out;
}

/** Spring's relaxed enum binding: case-insensitive, `-` and `_` alike. */
export function enumValue<E extends string>(key: string, raw: string, allowed: readonly E[]): E {
  const norm = raw.trim().toUpperCase().replaceAll('-', '_');
  const hit = allowed.find((a) => a === norm);
  if (hit === undefined) throw new ObservabilityConfigError(key, raw, `one of ${allowed.join(', ')}`);
  return hit;
}

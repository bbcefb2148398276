/**
 * Binding a predicate's or filter's args to its config, as Spring Cloud Gateway's
 * ShortcutConfigurable does: shortcut args (`_genkey_<i>`) go to the factory's
 * `shortcutFieldOrder` — one field each (DEFAULT), all into one list (GATHER_LIST), or all into
 * a list with a trailing true/false flag split off (GATHER_LIST_TAIL_FLAG). Expanded args bind
 * by name with relaxed binding (`burst-capacity` = `burstCapacity`), nested maps as dotted keys
 * (`redis-rate-limiter.replenishRate`), and a comma-separated string converts to a list.
 */
import { GENERATED_NAME_PREFIX, type NamedDefinition } from './definition.js';

export type ShortcutType = 'DEFAULT' | 'GATHER_LIST' | 'GATHER_LIST_TAIL_FLAG';

export interface ShortcutSpec {
  readonly fieldOrder: readonly string[];
  readonly type?: ShortcutType;
}

/** A config value as text: strings as they are, numbers and booleans printed, anything else as JSON. */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? '';
}

/** Relaxed-binding key: case, dashes and underscores do not matter. */
const relax = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();

function flattenArgs(args: Readonly<Record<string, unknown>>, prefix = '', out = new Map<string, unknown>()) {
  for (const [k, v] of Object.entries(args)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      flattenArgs(v as Record<string, unknown>, key, out);
    else out.set(relax(key), v);
  }
  return out;
}

export class Args {
  readonly #values: Map<string, unknown>;

  constructor(
    private readonly owner: string,
    def: NamedDefinition,
    spec: ShortcutSpec,
  ) {
    const keys = Object.keys(def.args);
    const shortcut = keys.length > 0 && keys.every((k) => k.startsWith(GENERATED_NAME_PREFIX));
    this.#values = shortcut ? bindShortcut(def, spec) : flattenArgs(def.args);
  }

  has(name: string): boolean {
    const v = this.#values.get(relax(name));
    return v !== undefined && v !== null && v !== '';
  }

  str(name: string): string | undefined {
    const v = this.#values.get(relax(name));
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v.map(String).join(',');
    return text(v);
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw new Error(`${this.owner}: '${name}' is required`);
    return v;
  }

  list(name: string): string[] {
    const v = this.#values.get(relax(name));
    if (v === undefined || v === null || v === '') return [];
    const raw = Array.isArray(v) ? v.map(String) : text(v).split(',');
    return raw.map((s) => s.trim()).filter((s) => s !== '');
  }

  int(name: string, fallback: number): number {
    const v = this.str(name);
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${this.owner}: '${name}' must be an integer, got '${v}'`);
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.str(name)?.toLowerCase();
    if (v === undefined || v === '') return fallback;
    if (v !== 'true' && v !== 'false') throw new Error(`${this.owner}: '${name}' must be true or false, got '${v}'`);
    return v === 'true';
  }

  /** A Spring Duration: `500ms`, `2s`, ISO-8601 `PT1S`, or plain milliseconds. */
  durationMs(name: string, fallback: number): number {
    const v = this.str(name);
    return v === undefined || v === '' ? fallback : parseDuration(v, `${this.owner}: '${name}'`);
  }
}

function bindShortcut(def: NamedDefinition, spec: ShortcutSpec): Map<string, unknown> {
  const values = Object.values(def.args).map(text);
  const order = spec.fieldOrder;
  const out = new Map<string, unknown>();
  switch (spec.type ?? 'DEFAULT') {
    case 'DEFAULT':
      if (values.length > order.length)
        throw new Error(`${def.name}: takes at most ${order.length} arguments (${order.join(', ')}), got ${values.length}`);
      values.forEach((v, i) => out.set(relax(order[i]!), v));
      break;
    case 'GATHER_LIST':
      out.set(relax(order[0]!), values);
      break;
    case 'GATHER_LIST_TAIL_FLAG': {
      const last = values.at(-1)?.toLowerCase();
      if (last === 'true' || last === 'false') {
        out.set(relax(order[1]!), last);
        values.pop();
      }
      out.set(relax(order[0]!), values);
      break;
    }
  }
  return out;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, owner: string): number {
  const t = text.trim();
  const simple = /^(-?\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)?$/i.exec(t);
  if (simple) return Number(simple[1]) * UNITS[(simple[2] ?? 'ms').toLowerCase()]!;
  const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(t);
  if (iso && t.length > 2)
    return (Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0)) * 1000;
  throw new Error(`${owner} must be a duration such as 500ms, 2s or PT1S, got '${text}'`);
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** A Spring DataSize: `5MB` (binary multiples, as Spring's), `512KB`, or plain bytes. */
export function parseDataSize(text: string, owner: string): number {
  const m = /^(\d+)\s*(B|KB|MB|GB|TB)?$/i.exec(text.trim());
  if (!m) throw new Error(`${owner} must be a size such as 5MB, 512KB or 1000, got '${text}'`);
  return Number(m[1]) * SIZE_UNITS[(m[2] ?? 'B').toUpperCase()]!;
}

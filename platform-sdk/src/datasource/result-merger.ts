/**
 * Merges the rows several shards returned for one fan-out SELECT into the rows MySQL gives
 * for the logical table: groups combined (COUNT and SUM added, MIN/MAX compared, AVG from the
 * merged SUM/COUNT at the scale MySQL used), DISTINCT applied, rows sorted, then OFFSET/LIMIT.
 *
 * Ordering follows MySQL's for the column's type as mysql2 reports it: DECIMAL strings by
 * value, text case-insensitively (the stack's utf8mb4_general_ci, exact for ASCII), NULL
 * first ascending. With GROUP BY and no ORDER BY, groups come sorted by the group keys, as
 * MariaDB sorts them.
 */
import type { MergeColumn, MergePlan } from './select-merge-plan.js';
import { textOf } from './sharding-algorithms.js';
import { resolve } from './sharding-conditions.js';

export type Row = Record<string, unknown>;

/** The part of mysql2's FieldPacket the merger reads. */
export interface FieldInfo {
  name: string;
  columnType?: number;
  characterSet?: number;
  decimals?: number;
}

const NEWDECIMAL = 246;
const DECIMAL = 0;
const TEXT_TYPES = new Set([15, 249, 250, 251, 252, 253, 254]);
const BINARY_CHARSET = 63;

type Compare = (a: unknown, b: unknown) => number;

export function mergeRows(plan: MergePlan, shards: Row[][], fields: readonly FieldInfo[], params: readonly unknown[]): Row[] {
  const compareOf = comparators(fields);
  let rows = shards.flat();
  if (plan.grouped) rows = mergeGroups(plan, rows, compareOf, fields);
  if (plan.distinct) rows = distinctRows(rows, compareOf);
  const order = plan.orderBy.length > 0 ? plan.orderBy : plan.grouped ? plan.groupKeys.map((key) => ({ key, desc: false })) : [];
  if (order.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const o of order) {
        const c = compareOf(o.key)(a[o.key], b[o.key]);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  if (plan.limit) {
    const offset = plan.limit.offset ? Number(resolve(plan.limit.offset, params)) : 0;
    rows = rows.slice(offset, offset + Number(resolve(plan.limit.count, params)));
  }
  return rows.map((r) => relabel(r, plan.columns));
}

function mergeGroups(plan: MergePlan, rows: Row[], compareOf: (key: string) => Compare, fields: readonly FieldInfo[]): Row[] {
  const groups = new Map<string, Row>();
  for (const row of rows) {
    const id = JSON.stringify(plan.groupKeys.map((k) => groupKeyPart(row[k])));
    const acc = groups.get(id);
    if (!acc) {
      groups.set(id, { ...row });
      continue;
    }
    for (const col of plan.columns) {
      const k = col.key;
      if (col.aggregate === 'COUNT' || col.aggregate === 'SUM') acc[k] = addValues(acc[k], row[k]);
      else if (col.aggregate === 'MIN' || col.aggregate === 'MAX') {
        const c = compareOf(k)(row[k], acc[k]);
        if (row[k] !== null && (acc[k] === null || (col.aggregate === 'MIN' ? c < 0 : c > 0))) acc[k] = row[k];
      }
    }
  }
  if (groups.size === 0 && plan.groupKeys.length === 0) return [];
  const scale = new Map(fields.map((f) => [f.name, f.decimals ?? 0]));
  for (const acc of groups.values()) {
    for (const col of plan.columns.filter((c) => c.aggregate === 'AVG')) {
      acc[col.key] = average(acc[col.avgSumKey ?? ''], acc[col.avgCountKey ?? ''], acc[col.key], scale.get(col.key) ?? 4);
    }
  }
  return [...groups.values()];
}

function average(sum: unknown, count: unknown, sample: unknown, scale: number): unknown {
  const n = Number(count);
  if (sum === null || sum === undefined || n === 0) return null;
  if (typeof sample === 'number' || typeof sum === 'number') return Number(sum) / n;
  return decimalDivide(textOf(sum), BigInt(n), scale);
}

function relabel(row: Row, columns: readonly MergeColumn[]): Row {
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    const col = byKey.get(k);
    if (col === undefined) out[k] = v;
    else if (col.label !== undefined) out[col.label] = v;
  }
  return out;
}

function distinctRows(rows: Row[], compareOf: (key: string) => Compare): Row[] {
  void compareOf;
  const seen = new Set<string>();
  return rows.filter((r) => {
    const id = JSON.stringify(Object.values(r).map(groupKeyPart));
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function groupKeyPart(v: unknown): unknown {
  if (typeof v === 'string') return `s:${v.toLowerCase()}`;
  if (typeof v === 'bigint') return `n:${v}`;
  if (typeof v === 'number') return `n:${v}`;
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (Buffer.isBuffer(v)) return `b:${v.toString('hex')}`;
  return v;
}

function comparators(fields: readonly FieldInfo[]): (key: string) => Compare {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return (key) => {
    const f = byName.get(key);
    if (f?.columnType === NEWDECIMAL || f?.columnType === DECIMAL) return nullsFirst(decimalCompare);
    if (f?.columnType !== undefined && TEXT_TYPES.has(f.columnType) && f.characterSet !== BINARY_CHARSET) {
      return nullsFirst(textCompare);
    }
    return nullsFirst(plainCompare);
  };
}

function nullsFirst(cmp: Compare): Compare {
  return (a, b) => {
    const an = a === null || a === undefined;
    const bn = b === null || b === undefined;
    if (an || bn) return an && bn ? 0 : an ? -1 : 1;
    return cmp(a, b);
  };
}

function textCompare(a: unknown, b: unknown): number {
  const x = textOf(a).toLowerCase();
  const y = textOf(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function plainCompare(a: unknown, b: unknown): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  if (typeof a === 'string' && typeof b === 'string') return textCompare(a, b);
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Adds two COUNT/SUM partials: numbers, bigints or DECIMAL strings; NULL is no value. */
export function addValues(a: unknown, b: unknown): unknown {
  if (a === null || a === undefined) return b;
  if (b === null || b === undefined) return a;
  if (typeof a === 'string' || typeof b === 'string') return decimalAdd(textOf(a), textOf(b));
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as bigint) + BigInt(b as bigint);
  return (a as number) + (b as number);
}

interface Dec {
  units: bigint;
  scale: number;
}

function parseDecimal(s: string): Dec {
  const t = s.trim();
  const neg = t.startsWith('-');
  const [int = '0', frac = ''] = (neg ? t.slice(1) : t).split('.');
  const units = BigInt(`${int}${frac}` || '0');
  return { units: neg ? -units : units, scale: frac.length };
}

function formatDecimal(d: Dec): string {
  const neg = d.units < 0n;
  const digits = (neg ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const text = d.scale === 0 ? digits : `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
  return neg ? `-${text}` : text;
}

function rescale(d: Dec, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function decimalAdd(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  return formatDecimal({ units: rescale(x, scale) + rescale(y, scale), scale });
}

export function decimalCompare(a: unknown, b: unknown): number {
  const x = parseDecimal(textOf(a));
  const y = parseDecimal(textOf(b));
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** sum / count rounded half away from zero to `scale` digits, as MySQL's DECIMAL division. */
export function decimalDivide(sum: string, count: bigint, scale: number): string {
  const s = parseDecimal(sum);
  const num = s.units * 10n ** BigInt(scale + 1);
  const den = count * 10n ** BigInt(s.scale);
  let q = num / den; // one extra digit, truncated toward zero
  q = q >= 0n ? (q + 5n) / 10n : (q - 5n) / 10n;
  return formatDecimal({ units: q, scale });
}

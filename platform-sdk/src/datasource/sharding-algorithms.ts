/**
 * ShardingSphere 5's standard sharding algorithms by their type names (MOD, HASH_MOD,
 * BOUNDARY_RANGE, VOLUME_RANGE, INTERVAL) and props, with the same answers as the Java ones:
 * an algorithm maps a sharding value to one target (data source or table) name, and a range
 * of values to the targets that can hold it. Targets are matched as ShardingSphere's
 * ShardingAutoTableAlgorithmUtils does: prefix of the first target + the suffix, left-padded
 * with '0' to the first target's suffix length.
 */
import { ShardingRuleError } from './errors.js';
import { createIntervalAlgorithm } from './interval-algorithm.js';

export type ShardingValue = number | bigint | string | Date;

/** A value range from BETWEEN / < / > conditions; a missing end is unbounded. */
export interface ValueRange {
  lower?: ShardingValue;
  lowerClosed?: boolean;
  upper?: ShardingValue;
  upperClosed?: boolean;
}

export interface StandardShardingAlgorithm {
  readonly type: string;
  /** The one target for a value, or undefined when no target matches. */
  doSharding(targets: readonly string[], value: ShardingValue): string | undefined;
  /** Every target that can hold a value in the range (a superset is correct, a subset is not). */
  doRangeSharding(targets: readonly string[], range: ValueRange): string[];
}

export type AlgorithmProps = Readonly<Record<string, unknown>>;

/** A prop or value as text: YAML gives strings, numbers or booleans. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v) ?? '';
}

type Factory = (props: AlgorithmProps, where: string) => StandardShardingAlgorithm;

const factories: Record<string, Factory> = {
  MOD: createModAlgorithm,
  HASH_MOD: createHashModAlgorithm,
  BOUNDARY_RANGE: (props, where) => rangeAlgorithm('BOUNDARY_RANGE', boundaryPartitions(props, where)),
  VOLUME_RANGE: (props, where) => rangeAlgorithm('VOLUME_RANGE', volumePartitions(props, where)),
  INTERVAL: createIntervalAlgorithm,
};

export const SHARDING_ALGORITHM_TYPES = Object.keys(factories);

export function createShardingAlgorithm(type: string, props: AlgorithmProps, where: string): StandardShardingAlgorithm {
  const factory = factories[type.toUpperCase()];
  if (!factory) {
    throw new ShardingRuleError(where, `algorithm type "${type}" is not one of ${SHARDING_ALGORITHM_TYPES.join(', ')}`);
  }
  return factory(props, where);
}

/** ShardingAutoTableAlgorithmUtils.findMatchedTargetName with DataNodeInfo of the first target. */
export function findMatchedTarget(targets: readonly string[], suffix: string): string | undefined {
  const first = targets[0];
  if (first === undefined) return undefined;
  const m = /^(.*?)(\d*)$/.exec(first);
  const prefix = m?.[1] ?? first;
  const minLength = m?.[2]?.length ?? 0;
  const name = prefix + suffix.padStart(minLength, '0');
  return targets.includes(name) ? name : undefined;
}

export function intProp(props: AlgorithmProps, key: string, where: string, fallback?: number): number {
  const raw = props[key];
  if (raw === undefined || raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new ShardingRuleError(where, `props.${key} is required`);
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new ShardingRuleError(where, `props.${key}=${textOf(raw)} is not an integer`);
  return n;
}

function createModAlgorithm(props: AlgorithmProps, where: string): StandardShardingAlgorithm {
  const count = intProp(props, 'sharding-count', where);
  if (count <= 0) throw new ShardingRuleError(where, 'props.sharding-count must be a positive integer');
  const startOffset = intProp(props, 'start-offset', where, 0);
  const stopOffset = intProp(props, 'stop-offset', where, 0);
  const zeroPadding = textOf(props['zero-padding'] ?? 'false').toLowerCase() === 'true';
  const padSize = Math.max(String(count - 1).length, 1);
  const bigCount = BigInt(count);
  const suffixOf = (n: bigint): string => {
    const s = String(((n % bigCount) + bigCount) % bigCount);
    return zeroPadding ? s.padStart(padSize, '0') : s;
  };
  const cut = (value: ShardingValue): bigint => {
    if (startOffset === 0 && stopOffset === 0) return toBigInt(value, where);
    const text = textOf(value);
    if (text.length - stopOffset <= startOffset) {
      throw new ShardingRuleError(where, `value "${text}" is too short for start-offset ${startOffset} / stop-offset ${stopOffset}`);
    }
    return toBigInt(text.slice(startOffset, text.length - stopOffset), where);
  };
  return {
    type: 'MOD',
    doSharding: (targets, value) => findMatchedTarget(targets, suffixOf(cut(value))),
    doRangeSharding(targets, range) {
      if (range.upper === undefined || range.lower === undefined) return [...targets];
      const lower = toBigInt(range.lower, where);
      const upper = toBigInt(range.upper, where);
      if (upper - lower >= bigCount - 1n) return [...targets];
      const out = new Set<string>();
      for (let i = lower; i <= upper; i++) {
        const t = findMatchedTarget(targets, suffixOf(i));
        if (t !== undefined) out.add(t);
      }
      return [...out];
    },
  };
}

function createHashModAlgorithm(props: AlgorithmProps, where: string): StandardShardingAlgorithm {
  const count = intProp(props, 'sharding-count', where);
  if (count <= 0) throw new ShardingRuleError(where, 'props.sharding-count must be a positive integer');
  return {
    type: 'HASH_MOD',
    doSharding: (targets, value) => findMatchedTarget(targets, String(Math.abs(javaHashCode(value)) % count)),
    doRangeSharding: (targets) => [...targets],
  };
}

/**
 * Java's `hashCode()` of the value a JDBC driver would hand ShardingSphere: String for strings,
 * Long for integers (a BIGINT column; for 0 ≤ v < 2^32 this equals Integer's), Double for
 * fractions, java.util.Date (its epoch millis as a Long) for dates.
 */
export function javaHashCode(value: ShardingValue): number {
  if (typeof value === 'string') {
    let h = 0;
    for (let i = 0; i < value.length; i++) h = (Math.imul(31, h) + value.charCodeAt(i)) | 0;
    return h;
  }
  if (value instanceof Date) return longHash(BigInt(value.getTime()));
  if (typeof value === 'bigint') return longHash(value);
  if (Number.isInteger(value)) return longHash(BigInt(value));
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return longHash(view.getBigInt64(0));
}

function longHash(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

function toBigInt(value: ShardingValue, where: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (value instanceof Date) return BigInt(value.getTime());
  if (!/^\s*-?\d+\s*$/.test(value)) throw new ShardingRuleError(where, `value "${value}" is not an integer`);
  return BigInt(value.trim());
}

/** Partition i holds [lower, upper); a missing end is unbounded. */
interface Partition {
  lower?: bigint;
  upper?: bigint;
}

function rangeAlgorithm(type: string, partitions: Partition[]): StandardShardingAlgorithm {
  const where = `algorithm ${type}`;
  const partitionOf = (value: ShardingValue): number => {
    const v = toBigInt(value, where);
    return partitions.findIndex((p) => (p.lower === undefined || v >= p.lower) && (p.upper === undefined || v < p.upper));
  };
  return {
    type,
    doSharding: (targets, value) => findMatchedTarget(targets, String(partitionOf(value))),
    doRangeSharding(targets, range) {
      const first = range.lower === undefined ? 0 : partitionOf(range.lower);
      const last = range.upper === undefined ? partitions.length - 1 : partitionOf(range.upper);
      const out: string[] = [];
      for (let p = first; p <= last; p++) {
        const t = findMatchedTarget(targets, String(p));
        if (t !== undefined) out.push(t);
      }
      return out;
    },
  };
}

function boundaryPartitions(props: AlgorithmProps, where: string): Partition[] {
  const raw = props['sharding-ranges'];
  if (raw === undefined || raw === null) throw new ShardingRuleError(where, 'props.sharding-ranges is required');
  // Java drops entries that do not parse as a long, then sorts.
  const bounds = textOf(raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^-?\d+$/.test(s))
    .map((s) => BigInt(s))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (bounds.length === 0) throw new ShardingRuleError(where, 'props.sharding-ranges has no integer boundary');
  const out: Partition[] = [{ upper: bounds[0] }];
  for (let i = 1; i < bounds.length; i++) out.push({ lower: bounds[i - 1], upper: bounds[i] });
  out.push({ lower: bounds[bounds.length - 1] });
  return out;
}

function volumePartitions(props: AlgorithmProps, where: string): Partition[] {
  const lower = BigInt(intProp(props, 'range-lower', where));
  const upper = BigInt(intProp(props, 'range-upper', where));
  const volume = BigInt(intProp(props, 'sharding-volume', where));
  if (volume <= 0n || upper - lower < volume) {
    throw new ShardingRuleError(where, 'range-upper - range-lower must be at least sharding-volume (> 0)');
  }
  const out: Partition[] = [{ upper: lower }];
  for (let start = lower; start < upper; start += volume) {
    out.push({ lower: start, upper: start + volume < upper ? start + volume : upper });
  }
  out.push({ lower: upper });
  return out;
}

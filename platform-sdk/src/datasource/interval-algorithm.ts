/**
 * ShardingSphere's INTERVAL algorithm: time is cut into steps of `datetime-interval-amount`
 * `datetime-interval-unit` (default 1 DAYS) from `datetime-lower` up to `datetime-upper`
 * (default now); a step whose [start, start + step) meets the value (or range) selects every
 * target ending with the step start formatted by `sharding-suffix-pattern`. Values are
 * parsed with `datetime-pattern` (a longer string is cut to the pattern's length, a shorter
 * one is read with the pattern cut to its length, as ShardingSphere does for ORMs).
 *
 * Times are naive local date-times (Java's LocalDateTime), held here as UTC-based millis so
 * stepping never crosses a DST jump; a JS Date value is read in the process' time zone, as
 * ShardingSphere reads a java.util.Date in the JVM's.
 */
import { ShardingRuleError } from './errors.js';
import { textOf, type AlgorithmProps, type StandardShardingAlgorithm, type ShardingValue, type ValueRange } from './sharding-algorithms.js';

const UNIT_MS: Record<string, number> = {
  MILLIS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  HALFDAYS: 43_200_000,
  DAYS: 86_400_000,
  WEEKS: 7 * 86_400_000,
};
const UNIT_MONTHS: Record<string, number> = { MONTHS: 1, YEARS: 12, DECADES: 120, CENTURIES: 1200 };

/** Pattern letters we read and write (java.time.format.DateTimeFormatter's). */
const FIELD_LETTERS = /^(yyyy|uuuu|yy|MM|dd|HH|mm|ss|SSS)/;

export function createIntervalAlgorithm(props: AlgorithmProps, where: string): StandardShardingAlgorithm {
  const pattern = requireString(props, 'datetime-pattern', where);
  const suffixPattern = requireString(props, 'sharding-suffix-pattern', where);
  const parse = (text: string, key: string): number => {
    const t = parseWithPattern(text, pattern);
    if (t === undefined) throw new ShardingRuleError(where, `props.${key}="${text}" does not match datetime-pattern "${pattern}"`);
    return t;
  };
  const lower = parse(requireString(props, 'datetime-lower', where), 'datetime-lower');
  const upperText = props['datetime-upper'];
  const upper = upperText === undefined ? nowNaive() : parse(textOf(upperText), 'datetime-upper');
  const amount = Number(props['datetime-interval-amount'] ?? 1);
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new ShardingRuleError(where, 'props.datetime-interval-amount must be a positive integer');
  }
  const unit = textOf(props['datetime-interval-unit'] ?? 'DAYS').toUpperCase();
  if (UNIT_MS[unit] === undefined && UNIT_MONTHS[unit] === undefined) {
    throw new ShardingRuleError(where, `props.datetime-interval-unit "${unit}" is not a ChronoUnit from MILLIS to CENTURIES`);
  }
  const plus = (t: number): number =>
    UNIT_MONTHS[unit] !== undefined ? addMonths(t, amount * UNIT_MONTHS[unit]) : t + amount * (UNIT_MS[unit] ?? 0);

  const toNaive = (value: ShardingValue): number => {
    if (value instanceof Date) return localNaive(value);
    const text = textOf(value);
    const cutPattern = text.length >= pattern.length ? pattern : pattern.slice(0, text.length);
    const t = parseWithPattern(text.slice(0, cutPattern.length), cutPattern);
    if (t === undefined) throw new ShardingRuleError(where, `value "${text}" does not match datetime-pattern "${pattern}"`);
    return t;
  };

  const matched = (targets: readonly string[], range: ValueRange): string[] => {
    const lo = range.lower === undefined ? lower : toNaive(range.lower);
    const hi = range.upper === undefined ? upper : toNaive(range.upper);
    const hiClosed = range.upper === undefined || range.upperClosed !== false;
    const out = new Set<string>();
    for (let start = lower; start <= upper; start = plus(start)) {
      const end = plus(start);
      if (lo < end && (hiClosed ? hi >= start : hi > start) && lo <= hi) {
        const suffix = formatWithPattern(start, suffixPattern);
        for (const t of targets) if (t.endsWith(suffix)) out.add(t);
      }
    }
    return [...out];
  };

  return {
    type: 'INTERVAL',
    doSharding: (targets, value) => matched(targets, { lower: value, upper: value })[0],
    doRangeSharding: matched,
  };
}

function requireString(props: AlgorithmProps, key: string, where: string): string {
  const v = props[key];
  const text = v === undefined || v === null ? '' : textOf(v);
  if (text === '') throw new ShardingRuleError(where, `props.${key} is required`);
  return text;
}

/** Naive date-time (as UTC millis) from text laid out by a DateTimeFormatter pattern. */
export function parseWithPattern(text: string, pattern: string): number | undefined {
  const f = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
  let ti = 0;
  for (let pi = 0; pi < pattern.length; ) {
    const tok = FIELD_LETTERS.exec(pattern.slice(pi))?.[1];
    if (tok === undefined) {
      if (text[ti] !== pattern[pi]) return undefined;
      pi++;
      ti++;
      continue;
    }
    const digits = text.slice(ti, ti + tok.length);
    if (!/^\d+$/.test(digits) || digits.length !== tok.length) return undefined;
    const n = Number(digits);
    const key = tok[0] === 'u' ? 'y' : (tok[0] as keyof typeof f);
    f[key] = tok === 'yy' ? 2000 + n : n;
    pi += tok.length;
    ti += tok.length;
  }
  if (ti !== text.length || f.M < 1 || f.M > 12 || f.d < 1 || f.d > 31 || f.H > 23 || f.m > 59 || f.s > 59) return undefined;
  return Date.UTC(f.y, f.M - 1, f.d, f.H, f.m, f.s, f.S);
}

export function formatWithPattern(t: number, pattern: string): string {
  const d = new Date(t);
  const values: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()).padStart(4, '0'),
    uuuu: String(d.getUTCFullYear()).padStart(4, '0'),
    yy: String(d.getUTCFullYear() % 100).padStart(2, '0'),
    MM: String(d.getUTCMonth() + 1).padStart(2, '0'),
    dd: String(d.getUTCDate()).padStart(2, '0'),
    HH: String(d.getUTCHours()).padStart(2, '0'),
    mm: String(d.getUTCMinutes()).padStart(2, '0'),
    ss: String(d.getUTCSeconds()).padStart(2, '0'),
    SSS: String(d.getUTCMilliseconds()).padStart(3, '0'),
  };
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const tok = FIELD_LETTERS.exec(pattern.slice(i))?.[1];
    if (tok === undefined) {
      out += pattern[i];
      i++;
    } else {
      out += values[tok] ?? '';
      i += tok.length;
    }
  }
  return out;
}

/** LocalDateTime.plusMonths: the day is clamped to the target month's last day. */
function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function localNaive(d: Date): number {
  return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

function nowNaive(): number {
  return localNaive(new Date());
}

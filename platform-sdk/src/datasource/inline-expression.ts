/**
 * ShardingSphere's inline expressions for `actualDataNodes`: `ds_${0..1}.t_order_${0..1}` is
 * the Cartesian product of its `${...}` (or `$->{...}`) segments, and a comma outside the
 * braces separates whole expressions. A segment is a Groovy range `a..b` or a list
 * `['x', 'y']` / `[0, 1]`. Nothing else of Groovy is evaluated: a rule is data, not code.
 */
import { ShardingRuleError } from './errors.js';

/** A physical table on a named data source. */
export interface DataNode {
  dataSource: string;
  table: string;
}

export function expandInlineExpression(expression: string): string[] {
  return splitTopLevel(expression)
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .flatMap((e) => expandOne(e, expression));
}

/** `ds_0.t_order_0` → {dataSource: ds_0, table: t_order_0}; the data source part is required. */
export function parseDataNodes(expression: string, where: string): DataNode[] {
  return expandInlineExpression(expression).map((node) => {
    const dot = node.indexOf('.');
    if (dot <= 0 || dot === node.length - 1 || node.indexOf('.', dot + 1) !== -1) {
      throw new ShardingRuleError(where, `data node "${node}" is not <dataSource>.<table>`);
    }
    return { dataSource: node.slice(0, dot), table: node.slice(dot + 1) };
  });
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function expandOne(expr: string, whole: string): string[] {
  let results = [''];
  let i = 0;
  while (i < expr.length) {
    const open = findOpen(expr, i);
    if (open === undefined) {
      results = results.map((r) => r + expr.slice(i));
      break;
    }
    const close = expr.indexOf('}', open.bodyStart);
    if (close === -1) throw new ShardingRuleError(`expression "${whole}"`, 'unclosed ${');
    const literal = expr.slice(i, open.at);
    const values = segmentValues(expr.slice(open.bodyStart, close).trim(), whole);
    results = results.flatMap((r) => values.map((v) => r + literal + v));
    i = close + 1;
  }
  return results;
}

function findOpen(expr: string, from: number): { at: number; bodyStart: number } | undefined {
  const a = expr.indexOf('${', from);
  const b = expr.indexOf('$->{', from);
  if (a === -1 && b === -1) return undefined;
  if (b !== -1 && (a === -1 || b < a)) return { at: b, bodyStart: b + 4 };
  return { at: a, bodyStart: a + 2 };
}

function segmentValues(body: string, whole: string): string[] {
  const range = /^(-?\d+)\s*\.\.\s*(-?\d+)$/.exec(body);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    const step = from <= to ? 1 : -1;
    const out: string[] = [];
    for (let v = from; v !== to + step; v += step) out.push(String(v));
    return out;
  }
  const list = /^\[(.*)\]$/s.exec(body);
  if (list) {
    return (list[1] ?? '')
      .split(',')
      .map((x) => x.trim().replace(/^(['"])(.*)\1$/, '$2'))
      .filter((x) => x !== '');
  }
  throw new ShardingRuleError(
    `expression "${whole}"`,
    `segment "\${${body}}" is neither a range a..b nor a list [x, y] (other Groovy is not evaluated)`,
  );
}

/**
 * The thin layer over node-sql-parser's MySQL AST the router uses: parse once with numbered
 * placeholders, read column names and literal values, walk and clone nodes, and print an AST
 * back as SQL with `?` placeholders. The parser's AST types are loose unions, so nodes are
 * handled as plain records here and checked field by field.
 */
import sqlParser from 'node-sql-parser';
import type { ShardingValue } from './sharding-algorithms.js';
import { PARAM_PREFIX, restorePlaceholders } from './sql-text.js';

export type AstNode = Record<string, unknown>;

const parser = new sqlParser.Parser();
const MYSQL = { database: 'MySQL' } as const;
const MYSQL_LOC = { database: 'MySQL', parseOptions: { includeLocations: true } } as const;

/** Parses numbered SQL; a list means several statements. Throws the parser's error on bad SQL. */
export function parseStatements(numberedSql: string): AstNode[] {
  const ast = parser.astify(numberedSql, MYSQL_LOC) as unknown;
  return (Array.isArray(ast) ? ast : [ast]) as AstNode[];
}

/** Every table the SQL names, subqueries included, as {db, table}. */
export function tablesOf(numberedSql: string): { db: string | null; table: string }[] {
  return parser.tableList(numberedSql, MYSQL).map((entry) => {
    const [, db, table] = entry.split('::');
    return { db: db === 'null' || db === undefined ? null : db, table: table ?? '' };
  });
}

/** SQL text for an AST with `?` placeholders, and which parameter each `?` takes. */
export function printStatement(ast: AstNode): { sql: string; order: number[] } {
  return restorePlaceholders(parser.sqlify(ast as never, MYSQL));
}

export function paramIndex(node: unknown): number | undefined {
  const n = node as AstNode | null;
  if (n?.type !== 'param' || typeof n.value !== 'string' || !n.value.startsWith(PARAM_PREFIX)) return undefined;
  return Number(n.value.slice(PARAM_PREFIX.length));
}

export function paramNode(index: number): AstNode {
  return { type: 'param', value: `${PARAM_PREFIX}${index}` };
}

/** The value of a literal node, `null` for SQL NULL, undefined when the node is no literal. */
export function literalValue(node: unknown): ShardingValue | null | undefined {
  const n = node as AstNode | null;
  switch (n?.type) {
    case 'number':
      return typeof n.value === 'number' ? n.value : Number(n.value);
    case 'bigint':
      return BigInt(String(n.value));
    case 'single_quote_string':
    case 'double_quote_string':
    case 'string':
      return String(n.value);
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** The column name of a column_ref (5.x gives a string, some shapes an {expr:{value}}). */
export function columnName(node: AstNode): string | undefined {
  if (node.type !== 'column_ref') return undefined;
  const c = node.column;
  if (typeof c === 'string') return c;
  const inner = (c as AstNode | null)?.expr as AstNode | undefined;
  return typeof inner?.value === 'string' ? inner.value : undefined;
}

/** Calls visit on every object below (not including) root; return false to stop descending. */
export function walk(root: unknown, visit: (node: AstNode, key: string) => boolean | void): void {
  const stack: [unknown, string][] = [[root, '']];
  let first = true;
  while (stack.length > 0) {
    const [value, key] = stack.pop() as [unknown, string];
    if (value === null || typeof value !== 'object') continue;
    if (!first && !Array.isArray(value) && visit(value as AstNode, key) === false) continue;
    first = false;
    for (const [k, v] of Object.entries(value as AstNode)) {
      if (k !== 'loc' && v !== null && typeof v === 'object') stack.push([v, Array.isArray(value) ? key : k]);
    }
  }
}

/** True when a nested SELECT (subquery, derived table) appears anywhere below root. */
export function hasSubquery(root: AstNode): boolean {
  let found = false;
  walk(root, (node) => {
    if (node.type === 'select' || (node.ast !== undefined && typeof node.ast === 'object')) found = true;
    return !found;
  });
  return found;
}

export function cloneAst<T>(ast: T): T {
  return structuredClone(ast);
}

/** Text of a node in the numbered SQL it came from, placeholders shown as `?` (MySQL's label). */
export function sourceText(node: AstNode, numberedSql: string): string | undefined {
  const loc = node.loc as { start?: { offset?: number }; end?: { offset?: number } } | undefined;
  const start = loc?.start?.offset;
  const end = loc?.end?.offset;
  if (start === undefined || end === undefined) return undefined;
  return restorePlaceholders(numberedSql.slice(start, end)).sql.trim();
}

/** Prints one expression, for labels of items the parser gave no location. */
export function exprText(expr: AstNode): string {
  const ast = { type: 'select', columns: [{ expr, as: null }], from: null } as AstNode;
  return printStatement(ast).sql.replace(/^SELECT\s+/i, '');
}

/**
 * SQL text helpers the router needs before and after node-sql-parser: numbering the `?`
 * placeholders (so each AST node knows which parameter it is, whatever order the parser walks
 * in) and turning the numbered names back into `?` with the parameter order of the rewritten
 * statement. Quotes and comments are skipped, so a `?` inside a string stays a character.
 */

/** The parser accepts `:name` parameters; this prefix marks ours. */
export const PARAM_PREFIX = 'silk_p';

export interface NumberedSql {
  text: string;
  /** How many `?` the statement has: callers must pass exactly that many parameters. */
  count: number;
}

export function numberPlaceholders(sql: string): NumberedSql {
  let out = '';
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const skip = skipQuotedOrComment(sql, i);
    if (skip > i) {
      out += sql.slice(i, skip);
      i = skip;
    } else if (c === '?') {
      out += `:${PARAM_PREFIX}${count++}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, count };
}

const NUMBERED = new RegExp(`:${PARAM_PREFIX}(\\d+)`, 'g');

/** `... :silk_p3 ... :silk_p1` → `... ? ... ?` and the parameter indexes [3, 1]. */
export function restorePlaceholders(text: string): { sql: string; order: number[] } {
  const order: number[] = [];
  const sql = text.replace(NUMBERED, (_m, n: string) => {
    order.push(Number(n));
    return '?';
  });
  return { sql, order };
}

/** End of a quoted string, backquoted name or comment starting at i; i when there is none. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"' || c === '`') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === '\\' && c !== '`') j += 2;
      else if (sql[j] === c && sql[j + 1] === c) j += 2;
      else if (sql[j] === c) return j + 1;
      else j++;
    }
    return sql.length;
  }
  if (c === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' ')) return lineEnd(sql, i);
  if (c === '#') return lineEnd(sql, i);
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end === -1 ? sql.length : end + 1;
}

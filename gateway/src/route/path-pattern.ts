/**
 * Spring's PathPattern (spring-web `PathPatternParser`), as Spring Cloud Gateway's Path
 * predicate uses it, compiled to one RegExp:
 *
 *   ?            one character within a segment
 *   *            zero or more characters within a segment (a lone `*` needs at least one)
 *   **           zero or more whole segments, at the end of the pattern
 *   {name}       one segment, captured as a URI variable
 *   {name:re}    one segment matching `re`, captured
 *   {*name}      the rest of the path (zero or more segments), captured with its leading '/'
 *
 * `matchTrailingSlash` (Spring Cloud Gateway's default, true) lets `/a` also match `/a/`.
 * Host patterns use the same language with `.` as the separator (Spring's AntPathMatcher
 * with "."), so `**.example.org` and `{sub}.example.org` work as they do in Java.
 */
export interface CompiledPattern {
  readonly source: string;
  /** Variables in the order they appear. */
  readonly names: readonly string[];
  match(path: string): Record<string, string> | undefined;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function segmentRe(segment: string, sep: string, names: string[], source: string): string {
  const notSep = `[^${escapeRe(sep)}]`;
  if (segment === '*') return `${notSep}+`;
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '{') {
      const end = closingBrace(segment, i);
      if (end < 0) throw new Error(`unclosed '{' in pattern '${source}'`);
      const body = segment.slice(i + 1, end);
      const colon = body.indexOf(':');
      const name = colon < 0 ? body : body.slice(0, colon);
      if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new Error(`bad variable name '${name}' in pattern '${source}'`);
      if (names.includes(name)) throw new Error(`variable '${name}' appears twice in pattern '${source}'`);
      names.push(name);
      out += colon < 0 ? `(${notSep}+)` : `(${checkedRegex(body.slice(colon + 1), source)})`;
      i = end;
    } else if (c === '*') out += `${notSep}*`;
    else if (c === '?') out += notSep;
    else out += escapeRe(c);
  }
  return out;
}

function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function checkedRegex(re: string, source: string): string {
  try {
    new RegExp(re);
  } catch (err) {
    throw new Error(`bad regex '${re}' in pattern '${source}': ${(err as Error).message}`, { cause: err });
  }
  // Capturing groups inside would shift the variables' group numbers.
  return re.replace(/\((?!\?)/g, '(?:');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function compilePathPattern(
  pattern: string,
  opts: { separator?: '/' | '.'; matchTrailingSlash?: boolean } = {},
): CompiledPattern {
  const sep = opts.separator ?? '/';
  const esep = escapeRe(sep);
  const names: string[] = [];
  const segments = pattern.split(sep);
  let body = '';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const captureRest = /^\{\*([A-Za-z_][\w-]*)\}$/.exec(seg);
    if (seg === '**' && sep === '.' && !last) {
      // AntPathMatcher on hosts: `**.example.org` also matches `example.org`.
      body += `(?:[^.]+\\.)*`;
      return;
    }
    if (seg === '**' || captureRest) {
      if (!last) throw new Error(`'${seg}' is allowed only at the end of pattern '${pattern}'`);
      if (captureRest) names.push(captureRest[1]!);
      // `/a/**` matches `/a`, `/a/` and `/a/b/c`: the separator before `**` belongs to it.
      const rest = i === 0 ? '.*' : `(?:${esep}.*)?`;
      if (i > 0) body = body.slice(0, -esep.length);
      body += captureRest ? `(${rest})` : rest;
      return;
    }
    body += segmentRe(seg, sep, names, pattern) + (last ? '' : esep);
  });
  const open = segments.at(-1) === '**' || /^\{\*/.test(segments.at(-1) ?? '');
  const trailing = opts.matchTrailingSlash !== false && sep === '/' && !open && !pattern.endsWith('/') ? '/?' : '';
  const re = new RegExp(`^${body}${trailing}$`);
  return {
    source: pattern,
    names,
    match(path: string) {
      const m = re.exec(path);
      if (m === null) return undefined;
      const vars: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) vars[names[i]!] = decode(m[i + 1] ?? '');
      return vars;
    },
  };
}

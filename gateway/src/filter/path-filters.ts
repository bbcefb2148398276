/**
 * Filters that rewrite the path sent upstream (StripPrefix, PrefixPath, RewritePath,
 * SetPath), with Java's exact behaviour: StripPrefix drops `parts` non-empty segments and
 * keeps a trailing slash; PrefixPath prepends once; RewritePath is Java's replaceAll with
 * `$\{name}` (YAML-safe) or `${name}` group references; SetPath expands `{name}` URI variables.
 */
import type { FilterFactory } from './filter.js';
import { expand } from './filter.js';

/** Java replacement syntax to JavaScript's: `${name}` -> `$<name>`; `$1` stays. */
export function javaReplacement(replacement: string): string {
  return replacement.replace(/\$\\\{/g, '${').replace(/\$\{([A-Za-z][A-Za-z0-9]*)\}/g, '$$<$1>');
}

export function stripPrefix(path: string, parts: number): string {
  // The usual path (a leading slash, no empty segments) is cut in place, with no arrays.
  if (path.charCodeAt(0) === 47 && !path.includes('//')) {
    let at = 0;
    for (let n = 0; n < parts; n++) {
      at = path.indexOf('/', at + 1);
      if (at < 0) return '/';
    }
    return at === 0 ? path : path.slice(at);
  }
  const segments = path.split('/').filter((s) => s !== '');
  const rest = segments.slice(parts).join('/');
  return rest === '' ? '/' : `/${rest}${path.endsWith('/') ? '/' : ''}`;
}

export const PATH_FILTERS: Readonly<Record<string, FilterFactory>> = {
  StripPrefix: {
    fieldOrder: ['parts'],
    build(args) {
      const parts = args.int('parts', 1);
      if (parts < 0) throw new Error('StripPrefix: parts must be >= 0');
      return {
        name: 'StripPrefix',
        run(ex, next) {
          ex.path = stripPrefix(ex.path, parts);
          return next();
        },
      };
    },
  },
  PrefixPath: {
    fieldOrder: ['prefix'],
    build(args) {
      const prefix = args.required('prefix');
      return {
        name: 'PrefixPath',
        run(ex, next) {
          ex.path = expand(prefix, ex.uriVariables, true) + ex.path;
          return next();
        },
      };
    },
  },
  RewritePath: {
    fieldOrder: ['regexp', 'replacement'],
    build(args) {
      const regexp = args.required('regexp');
      const replacement = javaReplacement(args.str('replacement') ?? '');
      let re: RegExp;
      try {
        re = new RegExp(regexp, 'g');
      } catch (err) {
        throw new Error(`RewritePath: bad regexp '${regexp}': ${(err as Error).message}`, { cause: err });
      }
      return {
        name: 'RewritePath',
        run(ex, next) {
          ex.path = ex.path.replace(re, replacement);
          return next();
        },
      };
    },
  },
  SetPath: {
    fieldOrder: ['template'],
    build(args) {
      const template = args.required('template');
      return {
        name: 'SetPath',
        run(ex, next) {
          ex.path = expand(template, ex.uriVariables, true);
          return next();
        },
      };
    },
  },
};

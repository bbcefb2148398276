/**
 * The route predicate factories of Spring Cloud Gateway, keyed by the names used in route
 * definitions, each with Java's shortcut field order and semantics:
 *
 *   Path=/a/{x},/b/**[,false]     PathPattern; variables become URI variables; trailing flag = matchTrailingSlash
 *   Method=GET,POST               any of the methods
 *   Host=**.x.org,{sub}.y.org     AntPathMatcher('.') against the Host header (port included)
 *   Header=X-Id,\d+               header present, or some value fully matching the regex
 *   Query=green[,gree.]           parameter present, or some value fully matching the regex
 *   Cookie=chocolate,ch.p         some cookie value fully matching the regex (both required)
 *   RemoteAddr=192.168.1.1/24     client address within any CIDR (a bare address is /32)
 *   Weight=group1,8               routes of one group share traffic by weight
 *   After/Before/Between          ZonedDateTime (2017-01-20T17:42:47.789-07:00[America/Denver]) or epoch ms
 */
import { BlockList, isIPv6 } from 'node:net';
import type { Exchange } from '../exchange.js';
import { Args, type ShortcutSpec } from './args.js';
import type { NamedDefinition } from './definition.js';
import { compilePathPattern } from './path-pattern.js';

export type RoutePredicate = (ex: Exchange) => boolean;

export interface PredicateContext {
  readonly routeId: string;
  /** Weight predicates report their group and weight here so the table can build ranges. */
  addWeight(group: string, weight: number): void;
}

interface PredicateFactory extends ShortcutSpec {
  build(args: Args, ctx: PredicateContext): RoutePredicate;
}

/** Java's String.matches: the whole value must match. */
export function fullMatch(regexp: string, owner: string): RegExp {
  try {
    return new RegExp(`^(?:${regexp})$`);
  } catch (err) {
    throw new Error(`${owner}: bad regexp '${regexp}': ${(err as Error).message}`, { cause: err });
  }
}

/** StringToZonedDateTimeConverter: epoch milliseconds, or an ISO date-time with an optional [zone]. */
export function parseDateTime(text: string, owner: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const t = Date.parse(text.trim().replace(/\[[^\]]+\]$/, ''));
  if (Number.isNaN(t)) throw new Error(`${owner}: '${text}' is not a date-time like 2017-01-20T17:42:47.789-07:00[America/Denver]`);
  return t;
}

const pathFactory: PredicateFactory = {
  fieldOrder: ['patterns', 'matchTrailingSlash'],
  type: 'GATHER_LIST_TAIL_FLAG',
  build(args) {
    const trailing = args.bool('matchTrailingSlash', true);
    const patterns = args.list('patterns').map((p) => compilePathPattern(p, { matchTrailingSlash: trailing }));
    if (patterns.length === 0) throw new Error(`Path: at least one pattern is required`);
    return (ex) => {
      for (const p of patterns) {
        const vars = p.match(ex.path);
        if (vars !== undefined) {
          Object.assign(ex.uriVariables, vars);
          return true;
        }
      }
      return false;
    };
  },
};

const hostFactory: PredicateFactory = {
  fieldOrder: ['patterns'],
  type: 'GATHER_LIST',
  build(args) {
    const patterns = args.list('patterns').map((p) => compilePathPattern(p, { separator: '.' }));
    return (ex) => {
      const host = ex.header('host');
      if (host === undefined) return false;
      for (const p of patterns) {
        const vars = p.match(host);
        if (vars !== undefined) return (Object.assign(ex.uriVariables, vars), true);
      }
      return false;
    };
  },
};

const valueMatch = (values: readonly string[], re: RegExp | undefined): boolean =>
  values.length > 0 && (re === undefined || values.some((v) => re.test(v)));

function addSource(list: BlockList, source: string, owner: string): void {
  const [addr = '', prefixText] = source.split('/', 2);
  const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
  const prefix = prefixText === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefixText);
  try {
    list.addSubnet(addr, prefix, type);
  } catch (err) {
    throw new Error(`${owner}: '${source}' is not an address or CIDR: ${(err as Error).message}`, { cause: err });
  }
}

export const PREDICATE_FACTORIES: Readonly<Record<string, PredicateFactory>> = {
  Path: pathFactory,
  Host: hostFactory,
  Method: {
    fieldOrder: ['methods'],
    type: 'GATHER_LIST',
    build(args) {
      const methods = new Set(args.list('methods').map((m) => m.toUpperCase()));
      return (ex) => methods.has(ex.method);
    },
  },
  Header: {
    fieldOrder: ['header', 'regexp'],
    build(args) {
      const name = args.required('header');
      const re = args.has('regexp') ? fullMatch(args.required('regexp'), 'Header') : undefined;
      return (ex) => valueMatch(ex.headerValues(name), re);
    },
  },
  Query: {
    fieldOrder: ['param', 'regexp'],
    build(args) {
      const param = args.required('param');
      const re = args.has('regexp') ? fullMatch(args.required('regexp'), 'Query') : undefined;
      return (ex) => valueMatch(ex.queryParams.getAll(param), re);
    },
  },
  Cookie: {
    fieldOrder: ['name', 'regexp'],
    build(args) {
      const name = args.required('name');
      const re = fullMatch(args.required('regexp'), 'Cookie');
      return (ex) => valueMatch(ex.cookies(name), re);
    },
  },
  RemoteAddr: {
    fieldOrder: ['sources'],
    type: 'GATHER_LIST',
    build(args) {
      const list = new BlockList();
      const sources = args.list('sources');
      if (sources.length === 0) throw new Error('RemoteAddr: at least one source is required');
      for (const s of sources) addSource(list, s, 'RemoteAddr');
      return (ex) => {
        const a = ex.remoteAddress;
        return list.check(a, isIPv6(a) ? 'ipv6' : 'ipv4');
      };
    },
  },
  Weight: {
    fieldOrder: ['group', 'weight'],
    build(args, ctx) {
      const group = args.required('group');
      const weight = args.int('weight', -1);
      if (weight < 0) throw new Error(`Weight: weight must be >= 0 (group '${group}')`);
      ctx.addWeight(group, weight);
      const id = ctx.routeId;
      return (ex) => ex.weightChoice(group) === id;
    },
  },
  After: {
    fieldOrder: ['datetime'],
    build(args) {
      const t = parseDateTime(args.required('datetime'), 'After');
      return (ex) => ex.now > t;
    },
  },
  Before: {
    fieldOrder: ['datetime'],
    build(args) {
      const t = parseDateTime(args.required('datetime'), 'Before');
      return (ex) => ex.now < t;
    },
  },
  Between: {
    fieldOrder: ['datetime1', 'datetime2'],
    build(args) {
      const a = parseDateTime(args.required('datetime1'), 'Between');
      const b = parseDateTime(args.required('datetime2'), 'Between');
      if (!(a < b)) throw new Error(`Between: datetime1 must be before datetime2`);
      return (ex) => ex.now > a && ex.now < b;
    },
  },
};

export function buildPredicate(def: NamedDefinition, ctx: PredicateContext): RoutePredicate {
  const factory = PREDICATE_FACTORIES[def.name];
  if (factory === undefined)
    throw new Error(`unknown predicate '${def.name}' (known: ${Object.keys(PREDICATE_FACTORIES).join(', ')})`);
  return factory.build(new Args(def.name, def, factory), ctx);
}

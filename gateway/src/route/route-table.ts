/**
 * A compiled route set: every predicate and filter built, routes sorted by `order` (ties keep
 * their declared order, as Java's stable sort does), Weight groups turned into ranges. Compiling
 * checks the whole set and reports every broken route at once; a set with any broken route is
 * refused whole. A table is immutable: a reload builds a new one and swaps the reference, so a
 * request that already matched finishes on the route it matched.
 */
import { text } from './args.js';
import { RoutesInvalidError } from '../errors.js';
import type { Exchange, WeightGroups } from '../exchange.js';
import type { FilterServices, GatewayFilter } from '../filter/filter.js';
import { buildFilter } from '../filter/filters.js';
import type { GatewayDefinitions, RouteDefinition } from './definition.js';
import { buildPredicate, type RoutePredicate } from './predicates.js';

export interface RouteTarget {
  /** `lb`: the service is looked up in discovery; `direct`: a fixed origin. */
  readonly kind: 'lb' | 'direct';
  readonly service: string;
  /** `http:` or `https:` (ws/wss map onto them; the upgrade is what differs). */
  readonly protocol: 'http:' | 'https:';
  /** `http://host:port` for direct targets; '' for lb. */
  readonly origin: string;
}

export interface Route {
  readonly id: string;
  readonly order: number;
  readonly target: RouteTarget;
  readonly predicates: readonly RoutePredicate[];
  readonly filters: readonly GatewayFilter[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly connectTimeoutMs: number | undefined;
  readonly responseTimeoutMs: number | undefined;
  readonly definition: RouteDefinition;
}

export function parseTarget(uri: string): RouteTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`uri '${uri}' is not a URI (lb://service, http://host:port, ws://host:port)`);
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (url.protocol === 'lb:') {
    // `lb://service` or `lb:ws://service`, as Spring Cloud Gateway accepts both.
    const inner = /^lb:(?:(wss?|https?):)?\/\/([^/:?#]+)/.exec(uri);
    if (!inner) throw new Error(`uri '${uri}' names no service (lb://service-name)`);
    const scheme = inner[1];
    return { kind: 'lb', service: inner[2]!, protocol: scheme === 'https' || scheme === 'wss' ? 'https:' : 'http:', origin: '' };
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol))
    throw new Error(`uri '${uri}': scheme ${url.protocol} is not supported (lb, http, https, ws, wss)`);
  const port = url.port === '' ? (secure ? '443' : '80') : url.port;
  const protocol = secure ? 'https:' : 'http:';
  return { kind: 'direct', service: url.host, protocol, origin: `${protocol}//${url.hostname}:${port}` };
}

function timeoutMeta(meta: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`metadata ${key} must be whole milliseconds, got '${text(v)}'`);
  return n < 0 ? undefined : n;
}

export class RouteTable {
  private constructor(
    readonly routes: readonly Route[],
    readonly weightGroups: WeightGroups,
    readonly definitions: GatewayDefinitions,
  ) {}

  static readonly EMPTY = new RouteTable([], new Map(), { routes: [], defaultFilters: [] });

  /** Builds every route; throws RoutesInvalidError naming each broken one. */
  static compile(defs: GatewayDefinitions, services: FilterServices, where = 'config'): RouteTable {
    const reasons: string[] = [];
    const routes: Route[] = [];
    const weights = new Map<string, [string, number][]>();
    for (const def of defs.routes) {
      try {
        routes.push(compileRoute(def, defs, services, (group, w) => {
          const list = weights.get(group) ?? [];
          list.push([def.id, w]);
          weights.set(group, list);
        }));
      } catch (err) {
        reasons.push(`route '${def.id}': ${(err as Error).message}`);
      }
    }
    if (reasons.length > 0) throw new RoutesInvalidError(where, reasons);
    routes.sort((a, b) => a.order - b.order);
    return new RouteTable(routes, weightRanges(weights), defs);
  }

  /** The first route, in order, whose predicates all hold; URI variables land on `ex`. */
  match(ex: Exchange): Route | undefined {
    ex.weightGroups = this.weightGroups;
    for (const route of this.routes) {
      ex.uriVariables = {};
      let ok = true;
      for (const p of route.predicates) {
        if (!p(ex)) {
          ok = false;
          break;
        }
      }
      if (ok) return route;
    }
    ex.uriVariables = {};
    return undefined;
  }
}

function compileRoute(
  def: RouteDefinition,
  defs: GatewayDefinitions,
  services: FilterServices,
  addWeight: (group: string, weight: number) => void,
): Route {
  const target = parseTarget(def.uri);
  const ctx = { routeId: def.id, services };
  const predicates = def.predicates.map((p) => buildPredicate(p, { routeId: def.id, addWeight }));
  const filters = [...defs.defaultFilters, ...def.filters].map((f) => buildFilter(f, ctx));
  return {
    id: def.id,
    order: def.order,
    target,
    predicates,
    filters,
    metadata: def.metadata,
    connectTimeoutMs: timeoutMeta(def.metadata, 'connect-timeout'),
    responseTimeoutMs: timeoutMeta(def.metadata, 'response-timeout'),
    definition: def,
  };
}

/** WeightCalculatorWebFilter: weights normalized per group, as cumulative upper bounds. */
function weightRanges(weights: Map<string, [string, number][]>): WeightGroups {
  const out = new Map<string, (readonly [string, number])[]>();
  for (const [group, list] of weights) {
    const total = list.reduce((s, [, w]) => s + w, 0);
    let acc = 0;
    out.set(group, list.map(([id, w]) => [id, (acc += total === 0 ? 0 : w / total)] as const));
  }
  return out;
}

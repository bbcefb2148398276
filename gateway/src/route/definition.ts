/**
 * Route definitions in Spring Cloud Gateway's shape (RouteDefinition, PredicateDefinition,
 * FilterDefinition) and how they are read from YAML under `spring.cloud.gateway.routes` (or
 * `spring.cloud.gateway.server.webflux.routes`, the 4.3+ name). A predicate or filter is either
 * the shortcut text `Name=a,b` — split on commas, trimmed, empty pieces dropped, the pieces
 * stored as `_genkey_0`, `_genkey_1`, ... as Java's PredicateDefinition(String) does — or the
 * expanded `{ name, args }` form.
 */
import { text } from './args.js';
export interface NamedDefinition {
  readonly name: string;
  /** In declaration order; values are strings, string lists (expanded form) or nested maps. */
  readonly args: Readonly<Record<string, unknown>>;
}

export interface RouteDefinition {
  readonly id: string;
  readonly uri: string;
  readonly order: number;
  readonly predicates: readonly NamedDefinition[];
  readonly filters: readonly NamedDefinition[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface GatewayDefinitions {
  readonly routes: readonly RouteDefinition[];
  /** `default-filters`: applied to every route, before the route's own. */
  readonly defaultFilters: readonly NamedDefinition[];
}

export const GENERATED_NAME_PREFIX = '_genkey_';

/** Java's PredicateDefinition(String) / FilterDefinition(String). */
export function parseShortcut(text: string, kind: 'predicate' | 'filter'): NamedDefinition {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    // A filter may have no arguments (`SecureHeaders`); a predicate must have some.
    if (kind === 'filter' && eq < 0 && text.trim() !== '') return { name: text.trim(), args: {} };
    throw new Error(`cannot parse ${kind} '${text}': must be of the form name=value`);
  }
  const args: Record<string, string> = {};
  text
    .slice(eq + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .forEach((a, i) => (args[`${GENERATED_NAME_PREFIX}${i}`] = a));
  return { name: text.slice(0, eq).trim(), args };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function readNamed(raw: unknown, kind: 'predicate' | 'filter', where: string): NamedDefinition {
  if (typeof raw === 'string') return parseShortcut(raw, kind);
  if (isRecord(raw) && typeof raw.name === 'string' && raw.name !== '') {
    const args = raw.args === undefined || raw.args === null ? {} : raw.args;
    if (!isRecord(args)) throw new Error(`${where}: args of '${raw.name}' must be a map`);
    return { name: raw.name, args };
  }
  throw new Error(`${where}: a ${kind} is either 'Name=args' text or { name, args }, got ${JSON.stringify(raw)}`);
}

function readList(raw: unknown, kind: 'predicate' | 'filter', where: string): NamedDefinition[] {
  if (raw === undefined || raw === null) return [];
  // Spring binds a list written as a map with index keys ({0: a, 1: b}) too.
  const list = Array.isArray(raw) ? raw : isRecord(raw) ? Object.values(raw) : undefined;
  if (list === undefined) throw new Error(`${where}: ${kind}s must be a list`);
  return list.map((x, i) => readNamed(x, kind, `${where} ${kind}s[${i}]`));
}

/** One route from its YAML object; throws with the route named when a field is unusable. */
export function readRoute(raw: unknown, index: number): RouteDefinition {
  const where = `routes[${index}]`;
  if (!isRecord(raw)) throw new Error(`${where}: a route must be a map`);
  const id = raw.id === undefined ? '' : text(raw.id);
  const at = id === '' ? where : `route '${id}'`;
  if (typeof raw.uri !== 'string' || raw.uri === '') throw new Error(`${at}: uri is required`);
  const order = raw.order === undefined ? 0 : Number(raw.order);
  if (!Number.isInteger(order)) throw new Error(`${at}: order must be an integer, got ${text(raw.order)}`);
  if (raw.metadata !== undefined && !isRecord(raw.metadata)) throw new Error(`${at}: metadata must be a map`);
  return {
    // Java gives an id-less route a random UUID; a position-based id stays stable across reloads.
    id: id === '' ? `route-${index}` : id,
    uri: raw.uri,
    order,
    predicates: readList(raw.predicates, 'predicate', at),
    filters: readList(raw.filters, 'filter', at),
    metadata: raw.metadata ?? {},
  };
}

/** The gateway section of a parsed YAML document (`spring.cloud.gateway[.server.webflux]`). */
export function readGatewayDefinitions(doc: unknown): GatewayDefinitions {
  const spring = isRecord(doc) && isRecord(doc.spring) ? doc.spring : undefined;
  const cloud = spring && isRecord(spring.cloud) ? spring.cloud : undefined;
  const gw = cloud && isRecord(cloud.gateway) ? cloud.gateway : undefined;
  // No section at all is a gateway with no routes yet, as in Java; a malformed one is an error.
  if (gw === undefined) {
    if (cloud?.gateway !== undefined && cloud.gateway !== null) throw new Error('spring.cloud.gateway must be a map');
    return { routes: [], defaultFilters: [] };
  }
  const server = isRecord(gw.server) && isRecord(gw.server.webflux) ? gw.server.webflux : undefined;
  const section = server ?? gw;
  const routesRaw = section.routes ?? [];
  const routes = Array.isArray(routesRaw) ? routesRaw : isRecord(routesRaw) ? Object.values(routesRaw) : undefined;
  if (routes === undefined) throw new Error('spring.cloud.gateway.routes must be a list');
  const defs = routes.map((r, i) => readRoute(r, i));
  const ids = new Set<string>();
  for (const r of defs) {
    if (ids.has(r.id)) throw new Error(`route id '${r.id}' is used twice`);
    ids.add(r.id);
  }
  return {
    routes: defs,
    defaultFilters: readList(section['default-filters'] ?? section.defaultFilters, 'filter', 'default-filters'),
  };
}

/**
 * Sentinel's gateway flow control (sentinel-api-gateway-adapter-common) over the SDK's engine.
 * Rules are Java's `GatewayFlowRule` JSON and custom API groups Java's `ApiDefinition` JSON,
 * as the Sentinel dashboard and Nacos data sources carry them. As GatewayRuleManager does,
 * every gateway rule becomes a hot-parameter rule on its resource (the route id, or the API
 * name): a rule with a `paramItem` takes the next argument index, rules without one share the
 * last index, whose value is always `$D`; an item with a `pattern` adds a `$NM` exception of
 * 10 000 000 so that values that do not match the pattern pass. Each request then enters its
 * route and each API group it matches with the parsed arguments (GatewayParamParser).
 */
import { text } from '../route/args.js';
import type { Sentinel } from '@silk/platform-sdk/sentinel';
import type { Exchange } from '../exchange.js';
import { compilePathPattern } from '../route/path-pattern.js';

export const SentinelGatewayConstants = {
  RESOURCE_MODE_ROUTE_ID: 0,
  RESOURCE_MODE_CUSTOM_API_NAME: 1,
  PARAM_PARSE_STRATEGY_CLIENT_IP: 0,
  PARAM_PARSE_STRATEGY_HOST: 1,
  PARAM_PARSE_STRATEGY_HEADER: 2,
  PARAM_PARSE_STRATEGY_URL_PARAM: 3,
  PARAM_PARSE_STRATEGY_COOKIE: 4,
  URL_MATCH_STRATEGY_EXACT: 0,
  URL_MATCH_STRATEGY_PREFIX: 1,
  URL_MATCH_STRATEGY_REGEX: 2,
  PARAM_MATCH_STRATEGY_EXACT: 0,
  PARAM_MATCH_STRATEGY_PREFIX: 1,
  PARAM_MATCH_STRATEGY_REGEX: 2,
  PARAM_MATCH_STRATEGY_CONTAINS: 3,
  GATEWAY_CONTEXT_ROUTE_PREFIX: 'sentinel_gateway_context$$route$$',
  GATEWAY_CONTEXT_DEFAULT: 'sentinel_gateway_context_default',
  GATEWAY_NOT_MATCH_PARAM: '$NM',
  GATEWAY_DEFAULT_PARAM: '$D',
} as const;
const C = SentinelGatewayConstants;

export interface GatewayParamFlowItem {
  readonly parseStrategy: number;
  readonly fieldName: string | undefined;
  readonly pattern: string | undefined;
  readonly matchStrategy: number;
}

export interface GatewayFlowRule {
  readonly resource: string;
  readonly resourceMode: number;
  readonly grade: number;
  readonly count: number;
  readonly intervalSec: number;
  readonly controlBehavior: number;
  readonly burst: number;
  readonly maxQueueingTimeoutMs: number;
  readonly paramItem: GatewayParamFlowItem | undefined;
}

export interface RuleLoad<R> {
  readonly applied: boolean;
  readonly rules: readonly R[];
  readonly rejected: readonly { index: number; reason: string }[];
}

type Raw = Record<string, unknown>;
const num = (r: Raw, k: string, d: number): number => (r[k] === undefined || r[k] === null ? d : Number(r[k]));
const optStr = (r: Raw, k: string): string | undefined =>
  r[k] === undefined || r[k] === null ? undefined : text(r[k]);

/** GatewayRuleManager.isValidRule, with the reason. */
export function parseGatewayFlowRule(raw: unknown): GatewayFlowRule {
  if (typeof raw !== 'object' || raw === null) throw new Error('a rule must be an object');
  const r = raw as Raw;
  const resource = optStr(r, 'resource')?.trim() ?? '';
  if (resource === '') throw new Error('resource is required');
  const rule: GatewayFlowRule = {
    resource,
    resourceMode: num(r, 'resourceMode', C.RESOURCE_MODE_ROUTE_ID),
    grade: num(r, 'grade', 1),
    count: num(r, 'count', 0),
    intervalSec: num(r, 'intervalSec', 1),
    controlBehavior: num(r, 'controlBehavior', 0),
    burst: num(r, 'burst', 0),
    maxQueueingTimeoutMs: num(r, 'maxQueueingTimeoutMs', 500),
    paramItem: r.paramItem === undefined || r.paramItem === null ? undefined : parseItem(r.paramItem),
  };
  for (const k of ['resourceMode', 'grade', 'count', 'burst', 'controlBehavior'] as const)
    if (!(rule[k] >= 0)) throw new Error(`${k} must be >= 0`);
  if (rule.controlBehavior === 2 && rule.maxQueueingTimeoutMs < 0) throw new Error('maxQueueingTimeoutMs must be >= 0');
  if (!(rule.intervalSec > 0)) throw new Error('intervalSec must be > 0');
  return rule;
}

function parseItem(raw: unknown): GatewayParamFlowItem {
  if (typeof raw !== 'object' || raw === null) throw new Error('paramItem must be an object');
  const r = raw as Raw;
  const item = {
    parseStrategy: num(r, 'parseStrategy', 0),
    fieldName: optStr(r, 'fieldName'),
    pattern: optStr(r, 'pattern'),
    matchStrategy: num(r, 'matchStrategy', C.PARAM_MATCH_STRATEGY_EXACT),
  };
  if (!(item.parseStrategy >= 0 && item.parseStrategy <= 4)) throw new Error(`paramItem.parseStrategy ${item.parseStrategy} is unknown (0-4)`);
  const needsField = item.parseStrategy >= C.PARAM_PARSE_STRATEGY_HEADER;
  if (needsField && (item.fieldName ?? '').trim() === '') throw new Error('paramItem.fieldName is required for header, URL parameter and cookie items');
  if (item.pattern !== undefined && item.pattern !== '' && !(item.matchStrategy >= 0)) throw new Error('paramItem.matchStrategy must be >= 0');
  if (item.matchStrategy === C.PARAM_MATCH_STRATEGY_REGEX && item.pattern) new RegExp(item.pattern);
  return item;
}

/** How one resource's arguments are built: item per index, plus `$D` last when a plain rule exists. */
interface ResourceParams {
  readonly items: readonly (readonly [GatewayParamFlowItem, RegExp | undefined])[];
  readonly hasPlain: boolean;
}

export function toParamFlowRules(rules: readonly GatewayFlowRule[]): { paramRules: Raw[]; params: Map<string, ResourceParams> } {
  const paramRules: Raw[] = [];
  const items = new Map<string, [GatewayParamFlowItem, RegExp | undefined][]>();
  const plain = new Map<string, GatewayFlowRule[]>();
  const base = (r: GatewayFlowRule, idx: number): Raw => ({
    resource: r.resource,
    limitApp: 'default',
    grade: r.grade,
    count: r.count,
    durationInSec: r.intervalSec,
    burstCount: r.burst,
    controlBehavior: r.controlBehavior,
    maxQueueingTimeMs: r.maxQueueingTimeoutMs,
    paramIdx: idx,
  });
  for (const r of rules) {
    if (r.paramItem === undefined) {
      plain.set(r.resource, [...(plain.get(r.resource) ?? []), r]);
      continue;
    }
    const list = items.get(r.resource) ?? [];
    const item = r.paramItem;
    const regex = item.matchStrategy === C.PARAM_MATCH_STRATEGY_REGEX && item.pattern ? new RegExp(`^(?:${item.pattern})$`) : undefined;
    const rule = base(r, list.length);
    if (item.pattern !== undefined && item.pattern !== '')
      rule.paramFlowItemList = [{ object: C.GATEWAY_NOT_MATCH_PARAM, classType: 'java.lang.String', count: 10_000_000 }];
    paramRules.push(rule);
    list.push([item, regex]);
    items.set(r.resource, list);
  }
  for (const [resource, list] of plain) {
    const idx = items.get(resource)?.length ?? 0;
    for (const r of list) paramRules.push(base(r, idx));
  }
  const params = new Map<string, ResourceParams>();
  for (const resource of new Set([...items.keys(), ...plain.keys()]))
    params.set(resource, { items: items.get(resource) ?? [], hasPlain: plain.has(resource) });
  return { paramRules, params };
}

function matchValue(item: GatewayParamFlowItem, regex: RegExp | undefined, value: string | undefined): string | undefined {
  if (value === undefined || item.pattern === undefined || item.pattern === '') return value;
  const p = item.pattern;
  switch (item.matchStrategy) {
    case C.PARAM_MATCH_STRATEGY_EXACT:
      return value === p ? value : C.GATEWAY_NOT_MATCH_PARAM;
    case C.PARAM_MATCH_STRATEGY_CONTAINS:
      return value.includes(p) ? value : C.GATEWAY_NOT_MATCH_PARAM;
    case C.PARAM_MATCH_STRATEGY_REGEX:
      return regex === undefined || regex.test(value) ? value : C.GATEWAY_NOT_MATCH_PARAM;
    default:
      // Java's parser has no PREFIX branch either: the value is used as it is.
      return value;
  }
}

function parseValue(item: GatewayParamFlowItem, ex: Exchange): string | undefined {
  const field = item.fieldName ?? '';
  switch (item.parseStrategy) {
    case C.PARAM_PARSE_STRATEGY_CLIENT_IP:
      return ex.remoteAddress;
    case C.PARAM_PARSE_STRATEGY_HOST:
      return ex.header('host');
    case C.PARAM_PARSE_STRATEGY_HEADER:
      return ex.header(field);
    case C.PARAM_PARSE_STRATEGY_URL_PARAM:
      return ex.queryParams.get(field) ?? undefined;
    case C.PARAM_PARSE_STRATEGY_COOKIE:
      return ex.cookies(field)[0];
    default:
      return undefined;
  }
}

/** GatewayParamParser.parseParameterFor: the arguments of one entry into `resource`. */
export function parseParameters(params: ResourceParams | undefined, ex: Exchange): unknown[] | undefined {
  if (params === undefined) return undefined;
  const args: unknown[] = params.items.map(([item, regex]) => matchValue(item, regex, parseValue(item, ex)) ?? null);
  if (params.hasPlain) args.push(C.GATEWAY_DEFAULT_PARAM);
  return args;
}

export interface ApiDefinition {
  readonly apiName: string;
  /** Path predicates; a request matching any of them belongs to the API. */
  readonly matchers: readonly ((path: string) => boolean)[];
}

function pathMatcher(raw: Raw): (path: string) => boolean {
  const pattern = optStr(raw, 'pattern');
  if (pattern === undefined || pattern === '') throw new Error('a predicate item needs a pattern');
  const strategy = num(raw, 'matchStrategy', C.URL_MATCH_STRATEGY_EXACT);
  switch (strategy) {
    case C.URL_MATCH_STRATEGY_EXACT:
      return (p) => p === pattern;
    case C.URL_MATCH_STRATEGY_PREFIX: {
      // Java matches prefix items with AntPathMatcher (`/foo/**`).
      const compiled = compilePathPattern(pattern, { matchTrailingSlash: false });
      return (p) => compiled.match(p) !== undefined;
    }
    case C.URL_MATCH_STRATEGY_REGEX: {
      const re = new RegExp(`^(?:${pattern})$`);
      return (p) => re.test(p);
    }
    default:
      throw new Error(`matchStrategy ${strategy} is unknown (0 exact, 1 prefix, 2 regex)`);
  }
}

/** ApiDefinition JSON: `{ apiName, predicateItems: [{ pattern, matchStrategy }, { items: [...] }] }`. */
export function parseApiDefinition(raw: unknown): ApiDefinition {
  if (typeof raw !== 'object' || raw === null) throw new Error('an API definition must be an object');
  const r = raw as Raw;
  const apiName = optStr(r, 'apiName')?.trim() ?? '';
  if (apiName === '') throw new Error('apiName is required');
  const items = Array.isArray(r.predicateItems) ? (r.predicateItems as Raw[]) : [];
  const matchers = items.flatMap((item) =>
    Array.isArray(item.items) ? (item.items as Raw[]).map(pathMatcher) : [pathMatcher(item)],
  );
  return { apiName, matchers };
}

export function loadList<R>(input: string | readonly unknown[], parse: (raw: unknown) => R): RuleLoad<R> | undefined {
  let list: unknown;
  try {
    list = typeof input === 'string' ? (input.trim() === '' ? [] : JSON.parse(input)) : input;
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const rules: R[] = [];
  const rejected: { index: number; reason: string }[] = [];
  list.forEach((raw: unknown, index) => {
    try {
      rules.push(parse(raw));
    } catch (err) {
      rejected.push({ index, reason: (err as Error).message });
    }
  });
  return { applied: true, rules, rejected };
}

export type { Sentinel };

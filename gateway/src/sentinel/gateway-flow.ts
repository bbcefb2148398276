/**
 * SentinelGatewayFilter's job: each request enters its route id and every custom API group
 * its original path matches, as IN entries of type COMMON_API_GATEWAY in the route's context
 * (`sentinel_gateway_context$$route$$<routeId>`), with the arguments gateway rules need. A
 * block exits what was entered and comes back as a GatewayBlockedError: HTTP 429 with the body
 * Java's DefaultBlockRequestHandler writes.
 */
import { recordSentinelBlock } from '@silk/platform-sdk/observability';
import { ResourceType, type BlockResult, type Entry, type Sentinel } from '@silk/platform-sdk/sentinel';
import { RateLimitedError } from '../errors.js';
import type { Exchange } from '../exchange.js';
import {
  SentinelGatewayConstants as C,
  loadList,
  parseApiDefinition,
  parseGatewayFlowRule,
  parseParameters,
  toParamFlowRules,
  type ApiDefinition,
  type GatewayFlowRule,
  type RuleLoad,
} from './gateway-rules.js';

const EXCEPTION_NAME: Record<BlockResult['kind'], string> = {
  flow: 'FlowException',
  degrade: 'DegradeException',
  system: 'SystemBlockException',
  authority: 'AuthorityException',
  'param-flow': 'ParamFlowException',
};

export class GatewayBlockedError extends RateLimitedError {
  constructor(
    routeId: string,
    readonly block: BlockResult,
  ) {
    super(routeId, 'Sentinel', `${block.kind} rule on resource '${block.resource}'`);
  }

  /** DefaultBlockRequestHandler's JSON. */
  responseBody(): Record<string, unknown> {
    return { code: 429, message: `Blocked by Sentinel: ${EXCEPTION_NAME[this.block.kind]}` };
  }
}

export class GatewayEntries {
  constructor(readonly entries: Entry[]) {}

  setError(err: unknown): void {
    for (const e of this.entries) e.setError(err);
  }

  exit(): void {
    for (let i = this.entries.length - 1; i >= 0; i--) this.entries[i]!.exit();
  }
}

export class SentinelGatewayFlow {
  #routeParams = new Map<
    string,
    ReturnType<typeof toParamFlowRules>['params'] extends Map<string, infer V> ? V : never
  >();
  #rules: readonly GatewayFlowRule[] = [];
  #apis: readonly ApiDefinition[] = [];

  constructor(readonly sentinel: Sentinel) {}

  get rules(): readonly GatewayFlowRule[] {
    return this.#rules;
  }

  get apiDefinitions(): readonly ApiDefinition[] {
    return this.#apis;
  }

  /** GatewayFlowRule JSON; a bad rule is rejected alone, an unreadable document changes nothing. */
  loadRules(input: string | readonly unknown[]): RuleLoad<GatewayFlowRule> {
    const load = loadList(input, parseGatewayFlowRule);
    if (load === undefined)
      return {
        applied: false,
        rules: this.#rules,
        rejected: [{ index: -1, reason: 'not a JSON array of GatewayFlowRule' }],
      };
    const { paramRules, params } = toParamFlowRules(load.rules);
    const engine = this.sentinel.paramFlowRules.loadRules(paramRules);
    this.#routeParams = params;
    this.#rules = load.rules;
    const rejected = [...load.rejected, ...engine.rejected.map((r) => ({ index: -1, reason: r.reason }))];
    return { applied: true, rules: load.rules, rejected };
  }

  loadApiDefinitions(input: string | readonly unknown[]): RuleLoad<ApiDefinition> {
    const load = loadList(input, parseApiDefinition);
    if (load === undefined)
      return {
        applied: false,
        rules: this.#apis,
        rejected: [{ index: -1, reason: 'not a JSON array of ApiDefinition' }],
      };
    this.#apis = load.rules;
    return load;
  }

  /** Enters the route and its API groups; throws GatewayBlockedError on a block. */
  enter(ex: Exchange, routeId: string): GatewayEntries {
    const entries: Entry[] = [];
    const context = this.sentinel.context(`${C.GATEWAY_CONTEXT_ROUTE_PREFIX}${routeId}`);
    this.#take(ex, routeId, routeId, context, entries);
    for (const api of this.#apis)
      if (api.matchers.some((m) => m(ex.originalPath)))
        this.#take(ex, routeId, api.apiName, context, entries);
    return new GatewayEntries(entries);
  }

  #take(
    ex: Exchange,
    routeId: string,
    resource: string,
    context: ReturnType<Sentinel['context']>,
    entries: Entry[],
  ): void {
    const args = parseParameters(this.#routeParams.get(resource), ex);
    const r = this.sentinel.entry(
      resource,
      args === undefined
        ? { context, entryType: 'IN', resourceType: ResourceType.COMMON_API_GATEWAY }
        : { context, entryType: 'IN', resourceType: ResourceType.COMMON_API_GATEWAY, args },
    );
    if (r.blocked) {
      recordSentinelBlock(r);
      for (let i = entries.length - 1; i >= 0; i--) entries[i]!.exit();
      throw new GatewayBlockedError(routeId, r);
    }
    entries.push(r);
  }
}

/**
 * The gateway's live inputs from Nacos, each through the SDK's config port:
 *
 * - the gateway document (routes, CORS, JWT) in one YAML dataId, held by the SDK's ConfigStore
 *   with the gateway's compiling schema: a document that does not compile is refused whole,
 *   the previous routes stay, and the reason is in `health()`;
 * - Sentinel gateway flow rules (GatewayFlowRule JSON) and API groups (ApiDefinition JSON) in
 *   their own dataIds, as spring-cloud-alibaba-sentinel-gateway reads them (`rule-type:
 *   gw-flow` and `gw-api-group`); an unreadable document keeps the rules in force;
 * - optionally degrade rules for CircuitBreaker filters, through the SDK's NacosRuleSource.
 */
import type { Component } from '@silk/platform-sdk/core';
import { ConfigStore, LiveConfig, type ConfigHealth, type ConfigRepository, type ConfigSource } from '@silk/platform-sdk/config';
import { NacosRuleSource } from '@silk/platform-sdk/nacos';
import { bindRuleSource, type RuleBinding } from '@silk/platform-sdk/sentinel';
import type { Gateway } from './gateway.js';
import { GatewayConfigSchema, type GatewayState } from './gateway-config.js';
import type { RuleLoad } from './sentinel/gateway-rules.js';

export interface GatewayNacosOptions {
  repository: ConfigRepository;
  /** The YAML dataId holding `spring.cloud.gateway.routes`. */
  routesDataId: string;
  group?: string;
  /** GatewayFlowRule JSON array (rule-type gw-flow). */
  flowRulesDataId?: string;
  /** ApiDefinition JSON array (rule-type gw-api-group). */
  apiDefinitionsDataId?: string;
  /** DegradeRule JSON array for CircuitBreaker filters. */
  degradeRulesDataId?: string;
  /** How long a new route set waits for its lb:// services to show instances; default 5 s. */
  warmUpTimeoutMs?: number;
  /** Told about every refused document or rejected rule. */
  onReport?: (event: { dataId: string; message: string }) => void;
}

const source = (dataId: string, group: string, format: 'yaml' | 'json'): ConfigSource => ({
  dataId,
  group,
  format,
  refresh: true,
  kind: 'extension',
});

export class GatewayNacosConfig implements Component {
  readonly name = 'gateway-nacos-config';
  readonly store: ConfigStore<Record<string, unknown>>;
  readonly #schema: GatewayConfigSchema;
  readonly #live: LiveConfig<Record<string, unknown>>;
  readonly #offs: (() => void)[] = [];
  #degrade: RuleBinding | undefined;
  #seq = 0;

  constructor(
    private readonly gateway: Gateway,
    private readonly opts: GatewayNacosOptions,
  ) {
    const group = opts.group ?? 'DEFAULT_GROUP';
    const routes = source(opts.routesDataId, group, 'yaml');
    this.#schema = new GatewayConfigSchema(gateway.services);
    // Placeholders resolve as in Spring; the environment does not override route fields.
    this.store = new ConfigStore<Record<string, unknown>>([routes], this.#schema, { env: {} });
    this.#live = new LiveConfig(this.store, [routes], opts.repository, (err) =>
      this.#report(opts.routesDataId, (err as Error).message),
    );
  }

  /** UP with the last refusal, if any (the previous routes stay in force meanwhile). */
  health(): ConfigHealth {
    return this.store.health();
  }

  async start(): Promise<void> {
    const group = this.opts.group ?? 'DEFAULT_GROUP';
    if (this.opts.flowRulesDataId !== undefined)
      await this.#follow(source(this.opts.flowRulesDataId, group, 'json'), (t) => this.gateway.flow.loadRules(t));
    if (this.opts.apiDefinitionsDataId !== undefined)
      await this.#follow(source(this.opts.apiDefinitionsDataId, group, 'json'), (t) =>
        this.gateway.flow.loadApiDefinitions(t),
      );
    if (this.opts.degradeRulesDataId !== undefined) {
      const rules = new NacosRuleSource(this.opts.repository, [
        { dataId: this.opts.degradeRulesDataId, group, ruleType: 'degrade' },
      ]);
      this.#degrade = await bindRuleSource(this.gateway.sentinel, rules, ['degrade'], (e) => {
        if (e.type === 'error') this.#report(this.opts.degradeRulesDataId!, e.error.message);
        else for (const r of e.result.rejected) this.#report(this.opts.degradeRulesDataId!, r.reason);
      });
    }
    this.store.onChange((next) => void this.#swap(this.#schema.take(next)));
    await this.#live.start();
    await this.#swap(this.#schema.take(this.store.current));
  }

  /** Warms discovery for the new routes, then swaps them in unless a newer set came meanwhile. */
  async #swap(state: GatewayState): Promise<void> {
    const seq = ++this.#seq;
    await this.gateway.warmUp(state, this.opts.warmUpTimeoutMs);
    if (seq === this.#seq) this.gateway.apply(state);
  }

  async stop(): Promise<void> {
    this.#live.stop();
    for (const off of this.#offs.splice(0)) off();
    await this.#degrade?.close();
  }

  async #follow(s: ConfigSource, load: (text: string) => RuleLoad<unknown>): Promise<void> {
    const apply = (text: string | undefined): void => {
      const r = load(text ?? '');
      for (const x of r.rejected) this.#report(s.dataId, `rule ${x.index}: ${x.reason}`);
    };
    apply(await this.opts.repository.get(s));
    this.#offs.push(this.opts.repository.subscribe(s, apply));
  }

  #report(dataId: string, message: string): void {
    this.opts.onReport?.({ dataId, message });
  }
}

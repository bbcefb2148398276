/**
 * A sharding rule kept in a Nacos dataId (ShardingSphere YAML), read through the config port
 * of `config/` so it works with Nacos' client and its disk snapshot. Each valid edit is swapped
 * into the data source (new statements and transactions only); an invalid edit or a deleted
 * dataId keeps the last good rule and is reported to `onError`, as config does for services.
 */
import type { Component } from '../core/index.js';
import { DEFAULT_GROUP, type ConfigRepository, type ConfigSource } from '../config/index.js';
import { ShardingRuleError } from './errors.js';
import { parseShardingRuleYaml, type ShardingRule } from './sharding-rule.js';

export interface ShardingRuleDataId {
  dataId: string;
  group?: string;
}

export interface RuleTarget {
  setRule(rule: ShardingRule): void;
}

export function ruleSource(ref: ShardingRuleDataId): ConfigSource {
  return { dataId: ref.dataId, group: ref.group ?? DEFAULT_GROUP, format: 'yaml', refresh: true, kind: 'extension' };
}

/** Reads and parses the rule once (to build the ShardingDataSource with). */
export async function loadShardingRule(repository: ConfigRepository, ref: ShardingRuleDataId): Promise<ShardingRule> {
  const content = await repository.get(ruleSource(ref));
  if (content === undefined) throw new ShardingRuleError(`dataId ${ref.dataId}`, 'does not exist in Nacos');
  return parseShardingRuleYaml(content);
}

/** Follows the dataId and applies each valid rule to the target. */
export class ShardingRuleFollower implements Component {
  readonly name = 'sharding-rule';
  #unsubscribe: (() => void) | undefined;
  #lastError: unknown;
  #applied = 0;

  constructor(
    private readonly repository: ConfigRepository,
    private readonly ref: ShardingRuleDataId,
    private readonly target: RuleTarget,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.#apply(await this.repository.get(ruleSource(this.ref)), true);
    this.#unsubscribe = this.repository.subscribe(ruleSource(this.ref), (content) => this.#apply(content, false));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** How many rules were applied, and why the last rejected one was. */
  health(): { applied: number; lastError: unknown } {
    return { applied: this.#applied, lastError: this.#lastError };
  }

  #apply(content: string | undefined, initial: boolean): void {
    try {
      if (content === undefined) throw new ShardingRuleError(`dataId ${this.ref.dataId}`, 'was deleted or is empty');
      this.target.setRule(parseShardingRuleYaml(content));
      this.#applied++;
      this.#lastError = undefined;
    } catch (err) {
      this.#lastError = err;
      if (initial) throw err;
      this.onError(err);
    }
  }
}

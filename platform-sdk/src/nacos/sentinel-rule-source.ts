/**
 * Sentinel rules from Nacos dataIds, read the way spring-cloud-alibaba-sentinel-datasource
 * reads them: each data source names one dataId (and group), carries one `rule-type`, and its
 * content is a JSON array of rule objects. An edit in the Nacos console reaches the engine
 * through the config long poll; a deleted dataId clears that kind of rule, as in Java
 * (NacosDataSource hands the converter an empty value).
 *
 * This implements sentinel's `RuleSource` port over the config repository port, so the
 * client's own disk snapshot also serves rules while Nacos is down.
 */
import type { ConfigRepository, ConfigSource } from '../config/index.js';
import {
  SentinelRuleSourceError,
  type RuleSource,
  type RuleSourceListener,
  type RuleSubscription,
} from '../sentinel/index.js';
import { DEFAULT_GROUP } from './instance.js';

type RuleKind = Parameters<RuleSource['subscribe']>[0];

/** One `spring.cloud.sentinel.datasource.<name>.nacos` entry. */
export interface NacosRuleDataSource {
  dataId: string;
  /** `group-id`; default DEFAULT_GROUP, as in spring-cloud-alibaba. */
  group?: string;
  ruleType: RuleKind;
}

export class NacosRuleSource implements RuleSource {
  readonly name: string;
  readonly #byKind = new Map<RuleKind, ConfigSource[]>();

  constructor(
    private readonly repository: ConfigRepository,
    dataSources: readonly NacosRuleDataSource[],
  ) {
    for (const ds of dataSources) {
      const list = this.#byKind.get(ds.ruleType) ?? [];
      list.push({
        dataId: ds.dataId,
        group: ds.group ?? DEFAULT_GROUP,
        format: 'json',
        refresh: true,
        kind: 'extension',
      });
      this.#byKind.set(ds.ruleType, list);
    }
    this.name = `nacos:${dataSources.map((d) => `${d.dataId}@${d.group ?? DEFAULT_GROUP}`).join(',')}`;
  }

  async subscribe(kind: RuleKind, listener: RuleSourceListener): Promise<RuleSubscription> {
    const sources = this.#byKind.get(kind) ?? [];
    if (sources.length > 1) {
      // Two data sources of one kind would each replace the other's rules on every change
      // (as they do in Java, where the last writer wins); merging keeps both in force.
      return this.#subscribeMerged(kind, sources, listener);
    }
    const source = sources[0];
    if (source === undefined) return { close: () => Promise.resolve() };
    const where = `nacos ${source.dataId}@${source.group}`;
    const deliver = (text: string | undefined): void => listener.onRules(text ?? '');
    try {
      deliver(await this.repository.get(source));
    } catch (err) {
      listener.onError?.(new SentinelRuleSourceError(where, kind, err));
    }
    const off = this.repository.subscribe(source, deliver);
    return { close: () => Promise.resolve(off()) };
  }

  async #subscribeMerged(
    kind: RuleKind,
    sources: readonly ConfigSource[],
    listener: RuleSourceListener,
  ): Promise<RuleSubscription> {
    const texts = new Map<string, string>();
    const key = (s: ConfigSource): string => `${s.dataId}@${s.group}`;
    const emit = (): void => {
      const parts: unknown[] = [];
      for (const [where, text] of texts) {
        if (text.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          listener.onError?.(new SentinelRuleSourceError(`nacos ${where}`, kind, err));
          return;
        }
        if (Array.isArray(parsed)) parts.push(...(parsed as unknown[]));
        else parts.push(parsed);
      }
      listener.onRules(parts.length === 0 ? '' : JSON.stringify(parts));
    };
    for (const s of sources) {
      try {
        texts.set(key(s), (await this.repository.get(s)) ?? '');
      } catch (err) {
        listener.onError?.(new SentinelRuleSourceError(`nacos ${key(s)}`, kind, err));
      }
    }
    emit();
    const offs = sources.map((s) =>
      this.repository.subscribe(s, (text) => {
        texts.set(key(s), text ?? '');
        emit();
      }),
    );
    return { close: () => Promise.resolve(offs.forEach((off) => off())) };
  }
}

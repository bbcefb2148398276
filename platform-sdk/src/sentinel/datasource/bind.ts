/**
 * Binds a rule source to the engine's rule managers (Java: `FlowRuleManager.register2Property`
 * on a data source's property): every text the source delivers is loaded into the manager of
 * its kind, and the outcome — rules in force, rules rejected with reasons, source failures —
 * goes to `report`, so an application can log it and show it on a health endpoint.
 */
import type { LoadResult, RuleKind } from '../core/rule-parse.js';
import type { RuleManagers } from '../default-slot-chain.js';
import { SentinelRuleSourceError } from '../errors.js';
import type { RuleSource, RuleSubscription } from './rule-source.js';

export type RuleSourceEvent =
  | {
      readonly type: 'loaded';
      readonly kind: RuleKind;
      readonly source: string;
      readonly result: LoadResult<unknown>;
    }
  | {
      readonly type: 'error';
      readonly kind: RuleKind;
      readonly source: string;
      readonly error: SentinelRuleSourceError;
    };

export interface RuleBinding {
  close(): Promise<void>;
}

export async function bindRuleSource(
  managers: RuleManagers,
  source: RuleSource,
  kinds: readonly RuleKind[],
  report: (event: RuleSourceEvent) => void = () => {},
): Promise<RuleBinding> {
  const subscriptions: RuleSubscription[] = [];
  for (const kind of kinds) {
    const load = loaderFor(managers, kind);
    subscriptions.push(
      await source.subscribe(kind, {
        onRules: (text) => report({ type: 'loaded', kind, source: source.name, result: load(text) }),
        onError: (err) =>
          report({
            type: 'error',
            kind,
            source: source.name,
            error:
              err instanceof SentinelRuleSourceError
                ? err
                : new SentinelRuleSourceError(source.name, kind, err),
          }),
      }),
    );
  }
  return {
    close: async () => {
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}

function loaderFor(managers: RuleManagers, kind: RuleKind): (text: string) => LoadResult<unknown> {
  switch (kind) {
    case 'flow':
      return (text) => managers.flowRules.loadRules(text);
    case 'degrade':
      return (text) => managers.degradeRules.loadRules(text);
    case 'system':
      return (text) => managers.systemRules.loadRules(text);
    case 'authority':
      return (text) => managers.authorityRules.loadRules(text);
    case 'param-flow':
      return (text) => managers.paramFlowRules.loadRules(text);
  }
}

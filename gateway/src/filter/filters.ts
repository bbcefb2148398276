/** The filter factories by name, as route definitions name them. */
import { Args } from '../route/args.js';
import type { NamedDefinition } from '../route/definition.js';
import type { FilterContext, FilterFactory, GatewayFilter } from './filter.js';
import { HEADER_FILTERS } from './header-filters.js';
import { PATH_FILTERS } from './path-filters.js';
import { RESILIENCE_FILTERS } from './resilience-filters.js';

export const FILTER_FACTORIES: Readonly<Record<string, FilterFactory>> = {
  ...PATH_FILTERS,
  ...HEADER_FILTERS,
  ...RESILIENCE_FILTERS,
};

export function buildFilter(def: NamedDefinition, ctx: FilterContext): GatewayFilter {
  const factory = FILTER_FACTORIES[def.name];
  if (factory === undefined)
    throw new Error(`unknown filter '${def.name}' (known: ${Object.keys(FILTER_FACTORIES).join(', ')})`);
  return factory.build(new Args(def.name, def, factory), ctx);
}

/**
 * config: a service's typed configuration with Spring Cloud Alibaba's conventions — which
 * dataIds (`${name}.${ext}`, `${name}-${profile}.${ext}`, shared and extension configs), in
 * which precedence, parsed as YAML, properties or JSON, with `${placeholder}` resolution and
 * environment overrides. A change is parsed, validated against the service's schema and
 * swapped in atomically; anything invalid keeps the last good config and says why.
 * LiveConfig keeps it current from a ConfigRepository, a port that `nacos/` implements.
 */
export { LiveConfig, type ConfigRepository } from './live-config.js';
export {
  ConfigStore,
  type ConfigHealth,
  type ConfigListener,
  type ConfigStoreOptions,
} from './config-store.js';
export {
  configSources,
  DEFAULT_GROUP,
  type ConfigEntryRef,
  type ConfigSource,
  type NacosConfigOptions,
} from './sources.js';
export { formatOf, parseConfig, type ConfigFormat } from './parse.js';
export { flatten, mergeFlat, unflatten, type FlatConfig } from './flatten.js';
export { resolvePlaceholders, resolveText } from './placeholders.js';
export { applyEnvOverrides, envName } from './env.js';
export { describeIssues, type ConfigSchema } from './schema.js';
export {
  CONFIG_ERROR_CODES,
  ConfigInvalidError,
  ConfigUnavailableError,
  PlaceholderError,
} from './errors.js';

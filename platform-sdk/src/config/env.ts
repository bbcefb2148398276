/**
 * Environment overrides, with Spring Boot's mapping from property keys to environment
 * variables (`spring.application.name` ← `SPRING_APPLICATION_NAME`, `servers[0].port` ←
 * `SERVERS_0_PORT`, dashes dropped). As with `spring.config.import` in current Spring Cloud
 * Alibaba, the environment outranks what comes from Nacos.
 */
import type { FlatConfig } from './flatten.js';
import type { Lookup } from './placeholders.js';

export function envName(key: string): string {
  return key
    .replace(/\[(\d+)\]/g, '_$1')
    .replace(/\./g, '_')
    .replace(/-/g, '')
    .toUpperCase();
}

export function envLookup(env: NodeJS.ProcessEnv): Lookup {
  return (key) => env[key] ?? env[envName(key)];
}

/** Every known key whose environment variable is set takes the variable's value. */
export function applyEnvOverrides(flat: FlatConfig, env: NodeJS.ProcessEnv): FlatConfig {
  const out: FlatConfig = new Map(flat);
  for (const key of flat.keys()) {
    const v = env[envName(key)];
    if (v !== undefined) out.set(key, v);
  }
  return out;
}

/**
 * nacos: joining the estate through Nacos as a Spring Cloud Alibaba app does — the instance
 * it registers (same fields, same metadata, same address choice), and its registration as a
 * lifecycle component that re-registers after Nacos forgets it; discovery with its cache; and
 * config, read and followed by Silk's own token-authenticated long-poll client.
 */
export {
  buildInstance,
  DEFAULT_CLUSTER,
  DEFAULT_GROUP,
  METADATA,
  type NacosInstance,
  type RegistrationOptions,
} from './instance.js';
export { findFirstNonLoopbackAddress, type InetOptions } from './inet.js';
export { createNamingClient, namespaceId, type NacosClientLogger, type NacosConnection } from './client.js';
export { NacosRegistration, type NacosRegistrationOptions } from './registration.js';
export {
  NACOS_ERROR_CODES,
  NacosAuthError,
  NacosConfigUnavailableError,
  NacosRegistrationError,
} from './errors.js';
export { NacosDiscovery, type NacosDiscoveryOptions } from './discovery.js';
export {
  candidates,
  loadBalancers,
  RoundRobinBalancer,
  WeightedRandomBalancer,
  type LoadBalancer,
  type LoadBalancerName,
  type ServiceInstance,
} from './load-balancer.js';
export { NacosConfigRepository, type NacosConfigRepositoryOptions } from './config-repository.js';
export { NacosConfigClient, type NacosConfigClientOptions } from './config-client.js';
export { NacosOpenApi, type NacosOpenApiOptions } from './open-api.js';
export { NacosNamingClient, type NacosHost, type NamingInstance, type ServiceRef } from './naming-client.js';
export { NacosRuleSource, type NacosRuleDataSource } from './sentinel-rule-source.js';

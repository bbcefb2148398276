/**
 * nacos: joining the estate through Nacos as a Spring Cloud Alibaba app does — the instance
 * it registers (same fields, same metadata, same address choice), and its registration as a
 * lifecycle component that re-registers after Nacos forgets it. Discovery and the config
 * repository on the `nacos` client land here next.
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
export { NACOS_ERROR_CODES, NacosRegistrationError } from './errors.js';
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
export { NacosRuleSource, type NacosRuleDataSource } from './sentinel-rule-source.js';

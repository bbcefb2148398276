/**
 * nacos: joining the estate through Nacos as a Spring Cloud Alibaba app does — the instance
 * it registers (same fields, same metadata, same address choice). Registration, discovery and
 * the config repository on the `nacos` client land here next.
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

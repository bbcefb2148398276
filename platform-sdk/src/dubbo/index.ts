/**
 * dubbo: Dubbo RPC on the wire protocol Java Dubbo speaks — `dubbo://` frames with hessian2
 * bodies — so a Silk service calls Java providers and serves Java consumers with nothing
 * changed on the Java side.
 *
 * Contract:
 * - Services are declared with their Java interface, version, group and each method's Java
 *   parameter types (`DubboServiceDefinition`); values map to Java types as java-values.ts
 *   documents (long beyond 2^53 as bigint, POJOs tagged with their class, Set/Map, ...).
 * - A provider's thrown JavaThrowable reaches a Java consumer as that exception; a Java
 *   exception reaches a Silk consumer as DubboRemoteException carrying its class and message.
 * - Providers register in Nacos under Dubbo's interface-level names; consumers discover Java
 *   and Silk providers alike from them.
 * - The request context (TX_XID, traceparent, caller app) crosses in the attachments.
 * - Corrupt bytes close that connection only; every failure is a coded SilkError.
 * - With `sentinel` set, calls are guarded as Java's Sentinel Dubbo filters guard them
 *   (interface and method resources, caller application as origin).
 */
export {
  DubboConsumer,
  DubboProvider,
  type DubboConsumerOptions,
  type DubboProviderOptions,
  type ReferenceConfig,
} from './bootstrap.js';
export { DubboReference, type CallOptions, type CallResult, type ServiceProxy } from './reference.js';
export { javaException, type MethodHandler, type ProviderCallContext } from './exchange-server.js';
export type { DubboMethodDefinition, DubboServiceDefinition } from './service-definition.js';
export { serviceKey } from './service-definition.js';
export { defineJavaClass, jvmDescriptor, toJava, type JavaClassShape } from './java-types.js';
export {
  BigDecimal,
  JAVA_CLASS,
  JavaThrowable,
  LocalDateTime,
  javaClassOf,
  javaEnum,
  javaObject,
  type JavaObject,
} from './java-values.js';
export { staticProviders, type ProviderDiscovery, type ServiceCoordinates } from './provider-discovery.js';
export {
  DubboNacosRegistry,
  NacosProviderDiscovery,
  nacosServiceName,
  type DubboNacosRegistryOptions,
} from './nacos-registry.js';
export {
  loadBalances,
  type LoadBalance,
  type LoadBalanceName,
  type ProviderAddress,
} from './load-balance.js';
export type { ClusterName } from './cluster.js';
export {
  blockedInvocationException,
  javaClassName,
  methodResourceName,
  SENTINEL_DUBBO_APPLICATION_KEY,
} from './sentinel-filter.js';
export type { Attachments } from './codec.js';
export type { ChannelLogger } from './channel.js';
export {
  BadArgumentError,
  BadFrameError,
  ConnectionClosedError,
  DUBBO_ERROR_CODES,
  DubboCodecError,
  DubboRemoteException,
  DubboRemoteStatusError,
  DubboShutdownError,
  DubboTimeoutError,
  NoProviderError,
  PayloadTooLargeError,
} from './errors.js';

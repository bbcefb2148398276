/**
 * fastify: the service starter and the glue between Fastify and the other capabilities —
 * `createService` (bootstrap → Nacos config → routes → listen → register; the reverse on
 * SIGTERM), Actuator-shaped health and info endpoints, and Sentinel around routes as
 * Sentinel's Spring Web MVC adapter guards controllers.
 */
export {
  createService,
  type CreateServiceOptions,
  type ServiceContext,
  type SilkService,
} from './service.js';
export {
  aggregate,
  registerActuator,
  type ActuatorOptions,
  type Health,
  type HealthIndicator,
  type HealthStatus,
} from './actuator.js';
export { loadBootstrap, type BootstrapConfig } from './bootstrap.js';
export {
  DEFAULT_BLOCK_BODY,
  registerSentinelWeb,
  SPRING_WEB_CONTEXT_NAME,
  type SentinelWebOptions,
} from './sentinel-web.js';

/**
 * fastify: the service starter and the glue between Fastify and the other capabilities —
 * `createService` (bootstrap → Nacos config → routes → listen → register; the reverse on
 * SIGTERM) and Actuator-shaped health and info endpoints.
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

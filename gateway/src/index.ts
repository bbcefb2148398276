/**
 * @silk/gateway: the API gateway. Spring Cloud Gateway's routing model — routes with `id`,
 * `uri` (`lb://service` or http/https/ws/wss), `order`, predicates, filters and metadata, in
 * the `spring.cloud.gateway.routes` YAML shape, shortcut or expanded — fed live from a Nacos
 * dataId, compiled whole (a broken set is refused and the last good one stays) and swapped
 * atomically. `lb://` goes through Nacos discovery to keep-alive undici pools; bodies stream
 * both ways; WebSocket upgrades pass through. Sentinel gateway flow rules and API groups, a
 * Redis token bucket shared with Java gateways, JWT, CORS, request ids and `traceparent`.
 *
 * Contract: `new Gateway(options)`; feed it with `GatewayNacosConfig` (or `gateway.load(yaml)`);
 * mount it with `registerGateway(app, gateway)`; every refusal the client sees is a coded
 * SilkError as JSON (`SILK_GATEWAY_*`) or, for Sentinel blocks, Java's 429 body.
 */
export { Gateway, DEFAULT_KEY_RESOLVERS, type AccessLogEntry, type GatewayOptions, type InstanceChooser } from './gateway.js';
export { createGatewayServer, registerGateway } from './fastify-adapter.js';
export { GatewayNacosConfig, type GatewayNacosOptions } from './nacos-sources.js';
export {
  compileGatewayConfig,
  compileGatewayYaml,
  GatewayConfigSchema,
  type GatewayState,
} from './gateway-config.js';
export { readGatewayDefinitions, parseShortcut, type GatewayDefinitions, type NamedDefinition, type RouteDefinition } from './route/definition.js';
export { RouteTable, parseTarget, type Route, type RouteTarget } from './route/route-table.js';
export { compilePathPattern, type CompiledPattern } from './route/path-pattern.js';
export { PREDICATE_FACTORIES } from './route/predicates.js';
export { FILTER_FACTORIES } from './filter/filters.js';
export type { FilterServices, GatewayFilter, KeyResolver } from './filter/filter.js';
export {
  RedisRateLimiter,
  rateLimiterKeys,
  TOKEN_BUCKET_LUA,
  type RateLimiter,
  type RedisRateLimiterConfig,
} from './filter/rate-limiter.js';
export { Exchange } from './exchange.js';
export { SentinelGatewayFlow, GatewayBlockedError } from './sentinel/gateway-flow.js';
export { SentinelGatewayConstants, type GatewayFlowRule, type ApiDefinition } from './sentinel/gateway-rules.js';
export { UpstreamPools, type PoolOptions } from './proxy/upstream-pools.js';
export {
  BodyTooLargeError,
  CircuitOpenError,
  GATEWAY_ERROR_CODES,
  GatewayError,
  NoInstanceError,
  NoRouteError,
  RateLimitedError,
  RoutesInvalidError,
  UnauthorizedError,
  UpstreamConnectError,
  UpstreamFailedError,
  UpstreamTimeoutError,
} from './errors.js';

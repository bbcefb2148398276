/**
 * observability: traces, metrics, logs and health in the shapes the Java estate's tools read
 * (Zipkin/OTLP traces with W3C and B3 context, Micrometer-named Prometheus metrics, JSON logs
 * with trace/span ids and XID, Actuator health components).
 *
 * Contract for transports (HTTP and Dubbo use it; RocketMQ, the gateway and transactions too):
 * - inbound: open the request context with `runWithContext({ ...extractTraceContext(carrier),
 *   xid })`, then run the handler in `withSpan(name, { kind: SpanKind.SERVER }, fn)`;
 * - outbound: `withSpan(name, { kind: SpanKind.CLIENT }, () => { injectTraceContext(carrier);
 *   ... })`, or `observeClientCall` for request/response calls;
 * - metrics: `currentMeters()?.timer(name, help, labels).record(labels, seconds)`;
 * - nothing here throws into a request: with no service observability in force every hook is
 *   a pass-through (the inbound `traceparent` still travels on).
 */
export {
  ObservabilityConfigError,
  ObservabilityError,
  HealthCheckTimeoutError,
  OBSERVABILITY_ERROR_CODES,
  type ObservabilityErrorCode,
} from './errors.js';
export {
  PROPAGATION_TYPES,
  TracePropagation,
  carrierGetter,
  formatTraceparent,
  type Carrier,
  type PropagationOptions,
  type PropagationType,
} from './propagation.js';
export { SilkContextManager, installSilkContextManager } from './context-bridge.js';
export { DEFAULT_SAMPLING_PROBABILITY, Tracing, tracingOptionsFrom, type TracingOptions } from './tracing.js';
export {
  contextWithScope,
  currentMeters,
  currentScope,
  currentTraceIds,
  currentTracing,
  extractTraceContext,
  injectTraceContext,
  recordSentinelBlock,
  scopeInContext,
  setDefaultScope,
  withScope,
  withInboundSpan,
  withSpan,
  withTracing,
  type InboundSpanEnd,
  type ObservabilityScope,
  type SpanOptions,
} from './spans.js';
export {
  DEFAULT_BUCKETS,
  MeterRegistry,
  TimeWindowMax,
  Timer,
  type MeterRegistryOptions,
} from './meter-registry.js';
export {
  CLIENT_TAGS,
  SERVER_TAGS,
  exceptionTag,
  outcomeOf,
  uriTag,
  type ClientTag,
  type Outcome,
  type ServerTag,
} from './http-conventions.js';
export { observeHttpServer, type HttpServerObservation } from './http-server.js';
export { observeClientCall, type ClientCallInfo } from './http-client.js';
export {
  RPC_SYSTEM_DUBBO,
  RPC_TAGS,
  observeRpcClient,
  observeRpcServer,
  type RpcCallInfo,
  type RpcTag,
} from './rpc-observation.js';
export {
  DEFAULT_MQ_CLIENT_ID,
  PROCESS_TIME_BUCKETS,
  SEND_COST_TIME_BUCKETS,
  observeConsume,
  observePublish,
  type ConsumeInfo,
  type PublishInfo,
} from './messaging-observation.js';
export {
  TX_TAGS,
  observeBranchPhaseTwo,
  observeGlobalTransaction,
  observeTcRequest,
  type TxOutcome,
  type TxSettled,
} from './tx-observation.js';
export {
  LogLevels,
  MDC_KEY_XID,
  SPRING_LOG_LEVELS,
  createLogger,
  logContext,
  pinoLevel,
  type LoggerLevels,
  type LoggerOptions,
} from './logging.js';
export { registerLoggersEndpoint } from './loggers-endpoint.js';
export {
  DEFAULT_HEALTH_TIMEOUT_MS,
  boundedIndicator,
  mysqlHealth,
  redisHealth,
  rocketmqHealth,
  type Health,
  type HealthIndicator,
  type HealthStatus,
  type MysqlPoolLike,
  type RedisLike,
  type RocketmqHealthOptions,
} from './health.js';
export { bindProcessMetrics } from './process-metrics.js';
export { bindMysqlPoolMetrics, bindPoolMetrics, mysql2PoolSizes, type PoolSizes } from './pool-metrics.js';
export {
  SENTINEL_FETCH_TYPES,
  bindSentinelMetrics,
  sentinelFamilyName,
  type SentinelMetricSource,
} from './sentinel-metrics.js';
export { ServiceObservability, type ServiceObservabilityOptions } from './service-observability.js';
export { SpanKind } from './otel-api.js';

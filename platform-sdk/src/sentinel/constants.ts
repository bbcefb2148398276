/**
 * Sentinel's constants under their Java names (RuleConstant, Constants, SentinelConfig,
 * SampleCountProperty, IntervalProperty), so a rule or a number can be checked against the Java
 * sources by grep. Rule JSON written for Java Sentinel uses exactly these integer codes.
 */

export const RuleConstant = {
  FLOW_GRADE_THREAD: 0,
  FLOW_GRADE_QPS: 1,

  DEGRADE_GRADE_RT: 0,
  DEGRADE_GRADE_EXCEPTION_RATIO: 1,
  DEGRADE_GRADE_EXCEPTION_COUNT: 2,
  DEGRADE_DEFAULT_MIN_REQUEST_AMOUNT: 5,

  AUTHORITY_WHITE: 0,
  AUTHORITY_BLACK: 1,

  STRATEGY_DIRECT: 0,
  STRATEGY_RELATE: 1,
  STRATEGY_CHAIN: 2,

  CONTROL_BEHAVIOR_DEFAULT: 0,
  CONTROL_BEHAVIOR_WARM_UP: 1,
  CONTROL_BEHAVIOR_RATE_LIMITER: 2,
  CONTROL_BEHAVIOR_WARM_UP_RATE_LIMITER: 3,

  LIMIT_APP_DEFAULT: 'default',
  LIMIT_APP_OTHER: 'other',

  DEFAULT_SAMPLE_COUNT: 2,
  DEFAULT_WINDOW_INTERVAL_MS: 1000,
} as const;

/** SampleCountProperty.SAMPLE_COUNT and IntervalProperty.INTERVAL: the per-second window. */
export const SAMPLE_COUNT = 2;
export const INTERVAL = 1000;

/** The per-minute window of StatisticNode: `new ArrayMetric(60, 60 * 1000, false)`. */
export const MINUTE_SAMPLE_COUNT = 60;
export const MINUTE_INTERVAL = 60_000;

/** SentinelConfig.DEFAULT_STATISTIC_MAX_RT: the min-rt of an empty bucket. */
export const DEFAULT_STATISTIC_MAX_RT = 5000;
/** SentinelConfig.DEFAULT_COLD_FACTOR (`csp.sentinel.flow.cold.factor`, must be > 1). */
export const DEFAULT_COLD_FACTOR = 3;

/** Constants.MAX_CONTEXT_NAME_SIZE: past this many context names, entries are not checked. */
export const MAX_CONTEXT_NAME_SIZE = 2000;
/** Constants.MAX_SLOT_CHAIN_SIZE: past this many resources, new resources are not checked. */
export const MAX_SLOT_CHAIN_SIZE = 6000;
export const CONTEXT_DEFAULT_NAME = 'sentinel_default_context';
export const TOTAL_IN_RESOURCE_NAME = '__total_inbound_traffic__';
export const ROOT_ID = 'machine-root';

/** EntryType: only IN entries count towards the global inbound node and system rules. */
export type EntryType = 'IN' | 'OUT';

/** ResourceTypeConstants: the `classification` column of the dashboard's metric line. */
export const ResourceType = {
  COMMON: 0,
  COMMON_WEB: 1,
  COMMON_RPC: 2,
  COMMON_API_GATEWAY: 3,
  COMMON_DB_SQL: 4,
} as const;

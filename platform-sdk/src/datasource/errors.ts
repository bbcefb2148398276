/**
 * The datasource error catalogue: sharding rules, routing, read/write splitting and ids. Each
 * code is stable and each message says what failed, with which input, and what to do.
 *
 * Refusing is the point of most of these: SQL the router cannot route correctly is never run
 * on a guessed shard, and an id generator that cannot prove its worker id or clock stops.
 */
import { SilkError, type SilkErrorOptions } from '../core/index.js';

export const DATASOURCE_ERROR_CODES = {
  SILK_SHARDING_RULE_INVALID: 'SILK_SHARDING_RULE_INVALID',
  SILK_SHARDING_UNSUPPORTED_SQL: 'SILK_SHARDING_UNSUPPORTED_SQL',
  SILK_SHARDING_NO_ROUTE: 'SILK_SHARDING_NO_ROUTE',
  SILK_DATASOURCE_UNKNOWN: 'SILK_DATASOURCE_UNKNOWN',
  SILK_DATASOURCE_UNAVAILABLE: 'SILK_DATASOURCE_UNAVAILABLE',
  SILK_ID_WORKER_UNAVAILABLE: 'SILK_ID_WORKER_UNAVAILABLE',
  SILK_ID_CLOCK_BACKWARDS: 'SILK_ID_CLOCK_BACKWARDS',
  SILK_ID_SEGMENT_FAILED: 'SILK_ID_SEGMENT_FAILED',
} as const;

export type DatasourceErrorCode = keyof typeof DATASOURCE_ERROR_CODES;

export class DatasourceError extends SilkError {
  constructor(code: DatasourceErrorCode, message: string, options: SilkErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A sharding rule (YAML, algorithm props, inline expression) that cannot be used; nothing changed. */
export class ShardingRuleError extends DatasourceError {
  constructor(where: string, problem: string, options: { cause?: unknown } = {}) {
    super(
      'SILK_SHARDING_RULE_INVALID',
      `sharding rule ${where}: ${problem}; fix the rule (the previous rule, if any, stays in force)`,
      { ...options, details: { where } },
    );
  }
}

/** SQL the router cannot run correctly on sharded tables: refused before touching any shard. */
export class UnsupportedShardingSqlError extends DatasourceError {
  constructor(reason: string, sql: string) {
    super(
      'SILK_SHARDING_UNSUPPORTED_SQL',
      `cannot route "${clip(sql)}": ${reason}; rewrite the statement (add the sharding key, split it, ` +
        'or query the physical tables yourself)',
      { statusCode: 500, details: { sql, reason } },
    );
  }
}

/** The algorithm named no existing data node for a sharding value. */
export class NoRouteError extends DatasourceError {
  constructor(table: string, column: string, value: unknown, cause?: unknown) {
    super(
      'SILK_SHARDING_NO_ROUTE',
      `table "${table}": sharding value ${column}=${String(value)} maps to no data node in actualDataNodes; ` +
        'widen actualDataNodes or the algorithm props to cover this value',
      { cause, statusCode: 500, details: { table, column, value: String(value) } },
    );
  }
}

export class UnknownDataSourceError extends DatasourceError {
  constructor(name: string, known: readonly string[]) {
    super(
      'SILK_DATASOURCE_UNKNOWN',
      `data source "${name}" is named by the rule but not configured (configured: ${known.join(', ') || 'none'}); ` +
        'add it to the data sources or fix the rule',
      { details: { name, known } },
    );
  }
}

/** No member of a read/write group can serve: the primary (and every replica for a read) is down. */
export class DataSourceUnavailableError extends DatasourceError {
  constructor(name: string, cause: unknown) {
    super(
      'SILK_DATASOURCE_UNAVAILABLE',
      `data source "${name}" has no reachable member to run the statement; check the database servers`,
      { cause, retryable: true, statusCode: 503, details: { name } },
    );
  }
}

/** The snowflake generator holds no valid worker-id lease (never got one, or lost it). */
export class WorkerIdUnavailableError extends DatasourceError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super('SILK_ID_WORKER_UNAVAILABLE', `snowflake: no worker id lease (${reason}); ids are not issued until one is held again`, {
      retryable: true,
      statusCode: 503,
      details,
    });
  }
}

/** The clock went back further than the generator may wait out. */
export class ClockBackwardsError extends DatasourceError {
  constructor(lastMs: number, nowMs: number, maxWaitMs: number) {
    super(
      'SILK_ID_CLOCK_BACKWARDS',
      `snowflake: the clock moved back ${lastMs - nowMs} ms (last id at ${lastMs}, now ${nowMs}), more than the ` +
        `${maxWaitMs} ms it waits out; ids would repeat, so none are issued until the clock passes ${lastMs}`,
      { retryable: true, statusCode: 503, details: { lastMs, nowMs, maxWaitMs } },
    );
  }
}

export class SegmentAllocationError extends DatasourceError {
  constructor(bizTag: string, reason: string, cause?: unknown) {
    super('SILK_ID_SEGMENT_FAILED', `segment ids for biz_tag "${bizTag}": ${reason}`, {
      cause,
      retryable: true,
      statusCode: 503,
      details: { bizTag },
    });
  }
}

function clip(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

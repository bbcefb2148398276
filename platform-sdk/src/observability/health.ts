/**
 * Health contributors for the servers a service depends on, shaped as Spring Boot Actuator
 * shows them so Spring Boot Admin and Kubernetes probes read them unchanged:
 *
 *   db        {"status":"UP","details":{"database":"MySQL","validationQuery":"isValid()"}}
 *   redis     {"status":"UP","details":{"version":"7.0.15"}}
 *   rocketmq  {"status":"UP","details":{"namesrv":"127.0.0.1:9876","brokers":1,"clusters":["DefaultCluster"]}}
 *
 * Each check is bounded by a timeout: a server that does not answer is DOWN within it, and
 * the aggregate (and readiness) with it, rather than a probe hanging until the kubelet gives up.
 */
import { HealthCheckTimeoutError } from './errors.js';
import { getBrokerClusterInfo } from './rocketmq-namesrv.js';

export type HealthStatus = 'UP' | 'DOWN' | 'OUT_OF_SERVICE' | 'UNKNOWN';

export interface Health {
  status: HealthStatus;
  details?: Record<string, unknown>;
}

export type HealthIndicator = () => Promise<Health>;

export const DEFAULT_HEALTH_TIMEOUT_MS = 2000;

function describe(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
}

/** Runs `check` with a deadline; a throw or a miss is DOWN with the error, as Actuator shows it. */
export function boundedIndicator(
  component: string,
  check: () => Promise<Record<string, unknown>>,
  timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
): HealthIndicator {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HealthCheckTimeoutError(component, timeoutMs)), timeoutMs);
    });
    try {
      return { status: 'UP', details: await Promise.race([check(), deadline]) };
    } catch (err) {
      return { status: 'DOWN', details: { error: describe(err) } };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** What is needed of a mysql2/promise pool. */
export interface MysqlPoolLike {
  getConnection(): Promise<{ ping(): Promise<void>; release(): void }>;
}

/** Spring's DataSourceHealthIndicator: borrow a connection and validate it (a protocol ping). */
export function mysqlHealth(pool: MysqlPoolLike, timeoutMs?: number): HealthIndicator {
  return boundedIndicator(
    'db',
    async () => {
      const conn = await pool.getConnection();
      try {
        await conn.ping();
      } finally {
        conn.release();
      }
      return { database: 'MySQL', validationQuery: 'isValid()' };
    },
    timeoutMs,
  );
}

/** What is needed of an ioredis client. */
export interface RedisLike {
  readonly status: string;
  info(section: 'server'): Promise<string>;
}

/**
 * Spring's RedisHealthIndicator: `INFO server`, reporting the version. A client that is not
 * connected is DOWN at once: ioredis would otherwise queue the command until it reconnects.
 */
export function redisHealth(redis: RedisLike, timeoutMs?: number): HealthIndicator {
  return boundedIndicator(
    'redis',
    async () => {
      if (redis.status !== 'ready') throw new Error(`redis client is ${redis.status}`);
      const info = await redis.info('server');
      const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim();
      return version ? { version } : {};
    },
    timeoutMs,
  );
}

export interface RocketmqHealthOptions {
  /** Name server `host:port`; the check asks it for the broker cluster as clients do. */
  namesrv: string;
  timeoutMs?: number;
}

/** RocketMQ is usable when the name server answers and knows at least one broker. */
export function rocketmqHealth(opts: RocketmqHealthOptions): HealthIndicator {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  return boundedIndicator(
    'rocketmq',
    async () => {
      const info = await getBrokerClusterInfo(opts.namesrv, timeoutMs);
      if (info.brokers.length === 0) throw new Error(`name server ${opts.namesrv} knows no broker`);
      return { namesrv: opts.namesrv, brokers: info.brokers.length, clusters: info.clusters };
    },
    timeoutMs,
  );
}

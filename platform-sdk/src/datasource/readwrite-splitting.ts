/**
 * A read/write-splitting data source (ShardingSphere's readwrite-splitting group): writes,
 * locking reads and transactions go to the primary; plain reads go to a replica chosen by
 * the load balancer (ROUND_ROBIN or RANDOM, ShardingSphere's names) among those the health
 * check admits. A replica that lags more than `maxLagSeconds`, whose replication stopped, or
 * that does not answer is skipped; a read that fails on a replica for a connection reason is
 * retried on the next one and finally on the primary, so a replica outage never reaches the
 * caller. `withPrimary` / `withReadYourWrites` (read-hint) pin reads to the primary.
 *
 * It is a `DataSourceResource`, so a ShardingDataSource can shard over such groups.
 */
import type mysql from 'mysql2/promise';
import type { Component } from '../core/index.js';
import { DataSourceUnavailableError, UnknownDataSourceError } from './errors.js';
import type { ReadwriteSplittingGroupRule } from './sharding-rule.js';
import { readsPinnedToPrimary } from './read-hint.js';
import { isConnectionError, judgeReplica, type SlaveStatus } from './replica-health.js';
import { connectionOf, type AccessIntent, type DataSourceResource, type QueryOutput, type ResourceConnection } from './resource.js';

export type LoadBalancerType = 'ROUND_ROBIN' | 'RANDOM';

export interface ReplicaSource {
  name: string;
  pool: mysql.Pool;
}

export interface ReadwriteSplittingOptions {
  /** The group's name: what sharding rules call this data source. */
  name: string;
  primary: mysql.Pool;
  replicas: readonly ReplicaSource[];
  loadBalancer?: LoadBalancerType;
  /** Replicas further behind are skipped; default 5 s. */
  maxLagSeconds?: number;
  /** How often replicas are checked; default 1000 ms. */
  healthCheckIntervalMs?: number;
  /** Told when a replica is admitted or skipped, with why. */
  onReplicaChange?: (replica: string, usable: boolean, reason: string) => void;
  random?: () => number;
}

interface ReplicaState extends ReplicaSource {
  usable: boolean;
  reason: string;
  lagSeconds?: number;
}

/** A `!READWRITE_SPLITTING` group of the YAML rules over pools named as in the rule. */
export function readwriteSplittingFromRule(
  rule: ReadwriteSplittingGroupRule,
  pools: Readonly<Record<string, mysql.Pool>>,
  options: Partial<Pick<ReadwriteSplittingOptions, 'maxLagSeconds' | 'healthCheckIntervalMs' | 'onReplicaChange'>> = {},
): ReadwriteSplittingResource {
  const pool = (name: string): mysql.Pool => {
    const p = pools[name];
    if (!p) throw new UnknownDataSourceError(name, Object.keys(pools));
    return p;
  };
  return new ReadwriteSplittingResource({
    ...options,
    name: rule.name,
    primary: pool(rule.writeDataSourceName),
    replicas: rule.readDataSourceNames.map((name) => ({ name, pool: pool(name) })),
    loadBalancer: rule.loadBalancerType as LoadBalancerType,
  });
}

export class ReadwriteSplittingResource implements DataSourceResource, Component {
  readonly name: string;
  readonly #primary: mysql.Pool;
  readonly #replicas: ReplicaState[];
  readonly #options: ReadwriteSplittingOptions;
  #next = 0;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(options: ReadwriteSplittingOptions) {
    this.name = options.name;
    this.#options = options;
    this.#primary = options.primary;
    // Unchecked replicas are not trusted: start() admits them after a first check.
    this.#replicas = options.replicas.map((r) => ({ ...r, usable: false, reason: 'not checked yet' }));
  }

  /** Checks every replica once, then keeps checking in the background. */
  async start(): Promise<void> {
    await this.checkReplicas();
    this.#timer = setInterval(() => void this.checkReplicas(), this.#options.healthCheckIntervalMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all([this.#primary.end(), ...this.#replicas.map((r) => r.pool.end())]);
  }

  /** Each replica and whether it serves reads now. */
  health(): { name: string; usable: boolean; reason: string; lagSeconds?: number }[] {
    return this.#replicas.map(({ name, usable, reason, lagSeconds }) => ({ name, usable, reason, ...(lagSeconds !== undefined ? { lagSeconds } : {}) }));
  }

  checkReplicas(): Promise<void> {
    this.#checking ??= Promise.all(this.#replicas.map((r) => this.#check(r))).then(
      () => {
        this.#checking = undefined;
      },
      () => {
        this.#checking = undefined;
      },
    );
    return this.#checking;
  }

  async query(sql: string, params: readonly unknown[], intent: AccessIntent): Promise<QueryOutput> {
    if (intent === 'write' || readsPinnedToPrimary()) return this.#onPrimary((p) => p.query(sql, params as unknown[]) as Promise<QueryOutput>);
    for (const replica of this.#readOrder()) {
      try {
        return (await replica.pool.query(sql, params as unknown[]));
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#mark(replica, false, `read failed: ${(err as Error).message}`);
      }
    }
    return this.#onPrimary((p) => p.query(sql, params as unknown[]) as Promise<QueryOutput>);
  }

  async getConnection(intent: AccessIntent): Promise<ResourceConnection> {
    if (intent === 'write' || readsPinnedToPrimary()) return connectionOf(await this.#onPrimary((p) => p.getConnection()));
    for (const replica of this.#readOrder()) {
      try {
        return connectionOf(await replica.pool.getConnection());
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        this.#mark(replica, false, `connect failed: ${(err as Error).message}`);
      }
    }
    return connectionOf(await this.#onPrimary((p) => p.getConnection()));
  }

  /** Usable replicas, the balancer's pick first, then the rest as fallbacks. */
  #readOrder(): ReplicaState[] {
    const usable = this.#replicas.filter((r) => r.usable);
    if (usable.length <= 1) return usable;
    const start =
      (this.#options.loadBalancer ?? 'ROUND_ROBIN') === 'RANDOM'
        ? Math.floor((this.#options.random ?? Math.random)() * usable.length)
        : this.#next++ % usable.length;
    return [...usable.slice(start), ...usable.slice(0, start)];
  }

  async #onPrimary<T>(fn: (p: mysql.Pool) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#primary);
    } catch (err) {
      if (isConnectionError(err)) throw new DataSourceUnavailableError(this.name, err);
      throw err;
    }
  }

  async #check(replica: ReplicaState): Promise<void> {
    try {
      const [rows] = await replica.pool.query('SHOW SLAVE STATUS');
      const verdict = judgeReplica((rows as SlaveStatus[])[0], this.#options.maxLagSeconds ?? 5);
      if (verdict.lagSeconds !== undefined) replica.lagSeconds = verdict.lagSeconds;
      this.#mark(replica, verdict.usable, verdict.reason);
    } catch (err) {
      this.#mark(replica, false, `health check failed: ${(err as Error).message}`);
    }
  }

  #mark(replica: ReplicaState, usable: boolean, reason: string): void {
    const changed = replica.usable !== usable;
    replica.usable = usable;
    replica.reason = reason;
    if (changed) this.#options.onReplicaChange?.(replica.name, usable, reason);
  }
}

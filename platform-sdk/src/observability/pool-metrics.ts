/**
 * Connection pool sizes under the names HikariCP's Micrometer tracker gives a Spring Boot
 * service's pool, which the common JVM/Hikari dashboards read:
 *
 *   hikaricp_connections{pool}          all connections (idle + active)
 *   hikaricp_connections_active{pool}   lent out
 *   hikaricp_connections_idle{pool}     ready in the pool
 *   hikaricp_connections_pending{pool}  callers waiting for one
 *   hikaricp_connections_max{pool}      the pool's limit
 *   hikaricp_connections_min{pool}      the minimum kept open (mysql2 keeps none: 0)
 *
 * A mysql2 pool keeps these counts only in fields of its core pool (not public API), so they
 * are read defensively at each scrape: a pool whose shape is not recognised reports nothing.
 */
import type { MeterRegistry } from './meter-registry.js';

/** The counts of one pool at scrape time. */
export interface PoolSizes {
  total: number;
  active: number;
  idle: number;
  pending: number;
  max: number;
  min: number;
}

interface Sized {
  length: number;
}
interface Mysql2CorePool {
  _allConnections?: Sized;
  _freeConnections?: Sized;
  _connectionQueue?: Sized;
  config?: { connectionLimit?: number };
}

/** A mysql2 pool's sizes (promise wrapper or core pool), or undefined when its shape is unknown. */
export function mysql2PoolSizes(pool: unknown): PoolSizes | undefined {
  const core = ((pool as { pool?: unknown }).pool ?? pool) as Mysql2CorePool;
  const all = core._allConnections?.length;
  const free = core._freeConnections?.length;
  const queued = core._connectionQueue?.length;
  if (all === undefined || free === undefined || queued === undefined) return undefined;
  return {
    total: all,
    active: all - free,
    idle: free,
    pending: queued,
    max: core.config?.connectionLimit ?? 0,
    min: 0,
  };
}

const GAUGES: readonly [keyof PoolSizes, string, string][] = [
  ['total', 'hikaricp_connections', 'Total connections'],
  ['active', 'hikaricp_connections_active', 'Active connections'],
  ['idle', 'hikaricp_connections_idle', 'Idle connections'],
  ['pending', 'hikaricp_connections_pending', 'Pending threads'],
  ['max', 'hikaricp_connections_max', 'Max connections'],
  ['min', 'hikaricp_connections_min', 'Min connections'],
];

const pools = new WeakMap<MeterRegistry, Map<string, () => PoolSizes | undefined>>();

/** Reports `read()` under `poolName` on every scrape of `meters` (HikariCP's names). */
export function bindPoolMetrics(
  meters: MeterRegistry,
  poolName: string,
  read: () => PoolSizes | undefined,
): void {
  let byName = pools.get(meters);
  if (byName === undefined) {
    const all = (byName = new Map<string, () => PoolSizes | undefined>());
    pools.set(meters, all);
    for (const [field, name, help] of GAUGES)
      meters.gauge(name, help, ['pool'], (set) => {
        for (const [pool, readSizes] of all) {
          const sizes = readSizes();
          if (sizes) set({ pool }, sizes[field]);
        }
      });
  }
  byName.set(poolName, read);
}

/** A mysql2 pool's sizes on `/actuator/prometheus`, as a Hikari pool named `poolName` would show. */
export function bindMysqlPoolMetrics(meters: MeterRegistry, pool: unknown, poolName: string): void {
  bindPoolMetrics(meters, poolName, () => mysql2PoolSizes(pool));
}

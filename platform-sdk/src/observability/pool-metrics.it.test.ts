/** A real mysql2 pool on the stack's MariaDB, its sizes read back the way Prometheus reads them. */
import { mariadb } from '@silk/stack/config';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { MeterRegistry } from './meter-registry.js';
import { bindMysqlPoolMetrics } from './pool-metrics.js';
import { promtoolCheck, sample } from './prometheus-test-support.js';

const pool = mysql.createPool({
  host: '127.0.0.1',
  port: mariadb.port,
  user: 'silk',
  password: 'silk',
  database: 'silk_test',
  connectionLimit: 2,
});
afterAll(() => pool.end());

describe('pool sizes under HikariCP names', () => {
  it('shows active, idle, pending and max as the pool lends and queues', async () => {
    const meters = new MeterRegistry({ application: 'order' });
    bindMysqlPoolMetrics(meters, pool, 'orderPool');
    const a = await pool.getConnection().catch((err: unknown) => {
      throw new Error(`MariaDB not reachable on ${mariadb.port} — run \`pnpm stack up\``, { cause: err });
    });
    const b = await pool.getConnection();
    const waiting = pool.getConnection(); // over the limit of 2: queued
    await new Promise((r) => setImmediate(r));
    const read = async () => promtoolCheck(await meters.scrape());
    let scrape = await read();
    expect(scrape.problems).toEqual([]);
    const v = (name: string) => sample(scrape, name, { pool: 'orderPool' }).value;
    expect([
      v('hikaricp_connections'),
      v('hikaricp_connections_active'),
      v('hikaricp_connections_idle'),
    ]).toEqual([2, 2, 0]);
    expect([
      v('hikaricp_connections_pending'),
      v('hikaricp_connections_max'),
      v('hikaricp_connections_min'),
    ]).toEqual([1, 2, 0]);
    a.release();
    (await waiting).release();
    b.release();
    scrape = await read();
    expect([
      v('hikaricp_connections_active'),
      v('hikaricp_connections_idle'),
      v('hikaricp_connections_pending'),
    ]).toEqual([0, 2, 0]);
  });
});

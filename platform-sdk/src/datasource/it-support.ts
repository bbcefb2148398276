/**
 * Shared by the datasource integration tests: pools on the stack's MariaDB, failing with a
 * clear message (never skipping) when it is not up.
 */
import mysql from 'mysql2/promise';
import { host, mariadb } from '@silk/stack/config';

export function stackPool(database: string, port: number = mariadb.port, connectionLimit = 5): mysql.Pool {
  return mysql.createPool({
    host,
    port,
    user: mariadb.user,
    password: mariadb.password,
    database,
    connectionLimit,
    connectTimeout: 3000,
  });
}

export async function assertReachable(pool: mysql.Pool, what: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw new Error(`${what} is not reachable — run \`pnpm stack up\` (${String(err)})`, { cause: err });
  }
}

/** A small deterministic PRNG (mulberry32), so a failing generated case can be replayed by seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

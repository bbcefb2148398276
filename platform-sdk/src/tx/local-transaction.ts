/**
 * A local (single-database) transaction on a connection of its own from a mysql2 pool: commit
 * when `fn` resolves, roll back when it throws, and the connection goes back to the pool
 * either way. A failed rollback is swallowed so the caller sees the error that caused it.
 */
import type { Pool, PoolConnection } from 'mysql2/promise';

export async function withLocalTransaction<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const out = await fn(conn);
    await conn.commit();
    return out;
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

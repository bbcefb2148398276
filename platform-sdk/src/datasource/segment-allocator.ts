/**
 * Dense ids from MySQL segments, as Meituan's Leaf-segment hands them out: a `leaf_alloc` row
 * per biz_tag holds max_id and step; taking a segment is `UPDATE ... SET max_id = max_id +
 * step` then reading the row back in one transaction, which gives this process the ids
 * [max_id − step, max_id) and no other process any of them. Two buffers per biz_tag: once a
 * tenth of the current segment is used (Leaf's 0.9 idle threshold) the next one is fetched in
 * the background, so callers rarely wait on the database. Ids are dense: the only gaps are the
 * unused rests of segments a process held when it stopped.
 *
 * Run it on the primary (never a replica): the UPDATE is what makes segments exclusive.
 */
import type mysql from 'mysql2/promise';
import { SegmentAllocationError } from './errors.js';

export interface SegmentAllocatorOptions {
  pool: mysql.Pool;
  /** Default `leaf_alloc`, Leaf's table name. */
  table?: string;
  /** Fetch the next segment once the current one's unused share drops below this; default 0.9. */
  preloadThreshold?: number;
}

interface Segment {
  value: bigint;
  max: bigint;
  step: number;
}

interface Buffer {
  current?: Segment;
  next?: Segment;
  loading?: Promise<Segment>;
}

export class SegmentIdAllocator {
  readonly #pool: mysql.Pool;
  readonly #table: string;
  readonly #threshold: number;
  readonly #buffers = new Map<string, Buffer>();

  constructor(options: SegmentAllocatorOptions) {
    this.#pool = options.pool;
    this.#table = options.table ?? 'leaf_alloc';
    if (!/^[A-Za-z0-9_]+$/.test(this.#table)) throw new SegmentAllocationError('-', `table name "${this.#table}" is not a plain identifier`);
    this.#threshold = options.preloadThreshold ?? 0.9;
  }

  /** Leaf's leaf_alloc table. */
  async ensureTable(): Promise<void> {
    await this.#pool.query(`CREATE TABLE IF NOT EXISTS \`${this.#table}\` (
      biz_tag VARCHAR(128) NOT NULL PRIMARY KEY,
      max_id BIGINT NOT NULL DEFAULT 1,
      step INT NOT NULL,
      description VARCHAR(256) NULL,
      update_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)`);
  }

  /** Adds a biz_tag (first id `startAt`, segments of `step`); an existing one is left as is. */
  async register(bizTag: string, step: number, startAt = 1, description = ''): Promise<void> {
    await this.#pool.query(`INSERT IGNORE INTO \`${this.#table}\` (biz_tag, max_id, step, description) VALUES (?, ?, ?, ?)`, [
      bizTag,
      startAt,
      step,
      description,
    ]);
  }

  async nextId(bizTag: string): Promise<bigint> {
    let buf = this.#buffers.get(bizTag);
    if (!buf) this.#buffers.set(bizTag, (buf = {}));
    for (;;) {
      const cur = buf.current;
      if (cur && cur.value < cur.max) {
        if (!buf.next && !buf.loading && Number(cur.max - cur.value) < this.#threshold * cur.step) {
          this.#load(bizTag, buf).then(
            (seg) => (buf.next = seg),
            () => undefined, // the foreground fetch retries and reports
          );
        }
        return cur.value++;
      }
      if (buf.next) {
        buf.current = buf.next;
        buf.next = undefined;
        continue;
      }
      buf.current = await (buf.loading ?? this.#load(bizTag, buf));
      if (buf.next === buf.current) buf.next = undefined;
    }
  }

  #load(bizTag: string, buf: Buffer): Promise<Segment> {
    const loading = this.#fetch(bizTag).finally(() => {
      if (buf.loading === loading) buf.loading = undefined;
    });
    buf.loading = loading;
    return loading;
  }

  async #fetch(bizTag: string): Promise<Segment> {
    let conn: mysql.PoolConnection | undefined;
    try {
      conn = await this.#pool.getConnection();
      await conn.beginTransaction();
      const [res] = await conn.query(`UPDATE \`${this.#table}\` SET max_id = max_id + step WHERE biz_tag = ?`, [bizTag]);
      if ((res as mysql.ResultSetHeader).affectedRows !== 1) {
        await conn.rollback();
        throw new SegmentAllocationError(bizTag, `no row in ${this.#table}; register the biz_tag first`);
      }
      const [rows] = await conn.query(`SELECT CAST(max_id AS CHAR) AS max_id, step FROM \`${this.#table}\` WHERE biz_tag = ?`, [bizTag]);
      await conn.commit();
      const row = (rows as { max_id: string; step: number }[])[0] as { max_id: string; step: number };
      const max = BigInt(row.max_id);
      return { value: max - BigInt(row.step), max, step: row.step };
    } catch (err) {
      await conn?.rollback().catch(() => undefined);
      if (err instanceof SegmentAllocationError) throw err;
      throw new SegmentAllocationError(bizTag, `taking a segment from ${this.#table} failed; retry`, err);
    } finally {
      conn?.release();
    }
  }
}

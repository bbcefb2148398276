/**
 * Durable sessions: every state change of a GlobalSession or BranchSession is a row change in
 * MySQL before it is acted on, so a TC that dies at any point leaves enough behind for itself
 * (or another TC on the same database) to finish the job. State transitions run in short
 * READ COMMITTED transactions that lock the global row first, which serialises a branch
 * registration against a commit, a rollback or a timeout of the same transaction.
 *
 * The hot paths (branch register, commit/rollback, phase two) send their statements as one
 * multi-statement batch per round trip (the pool is opened with `multipleStatements`): a
 * two-branch AT transaction used to cost the TC 29 round trips to MySQL and now costs 7, and
 * those round trips were most of a global transaction's latency (see bench/results/tx-at.md).
 * A batch that fails midway leaves its transaction open, so batches run on a connection of
 * their own and are rolled back before the connection goes back to the pool.
 */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { GlobalStatus, globalStatusName, TxLockConflictError, TxNotActiveError, TxNotFoundError, withLocalTransaction, type BranchType } from '@silk/platform-sdk/tx';
import type { TableNames } from './schema.js';

export interface GlobalSession {
  xid: string;
  transactionId: string;
  status: number;
  applicationId: string | null;
  transactionName: string | null;
  timeout: number;
  beginTime: number;
  owner: string;
  leaseUntil: number;
}

export interface BranchSession {
  branchId: string;
  xid: string;
  transactionId: string;
  resourceId: string;
  branchType: BranchType;
  status: number;
  clientId: string | null;
  applicationData: string | null;
}

export interface RowLockRequest {
  rowKey: string;
  table: string;
  pk: string;
}

/** AbstractLocker.getRowKey: resourceId^^^tableName^^^pk. */
export const LOCK_SPLIT = '^^^';

const PHASE_TWO_STATUSES = [
  GlobalStatus.Committing,
  GlobalStatus.CommitRetrying,
  GlobalStatus.AsyncCommitting,
  GlobalStatus.Rollbacking,
  GlobalStatus.RollbackRetrying,
  GlobalStatus.TimeoutRollbacking,
  GlobalStatus.TimeoutRollbackRetrying,
];

const DUPLICATE = 'ER_DUP_ENTRY';
const DEADLOCK = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

function toGlobal(r: RowDataPacket): GlobalSession {
  return {
    xid: String(r.xid),
    transactionId: String(r.transaction_id),
    status: Number(r.status),
    applicationId: (r.application_id as string | null) ?? null,
    transactionName: (r.transaction_name as string | null) ?? null,
    timeout: Number(r.timeout),
    beginTime: Number(r.begin_time),
    owner: String(r.owner),
    leaseUntil: Number(r.lease_until),
  };
}

function toBranch(r: RowDataPacket): BranchSession {
  return {
    branchId: String(r.branch_id),
    xid: String(r.xid),
    transactionId: String(r.transaction_id),
    resourceId: String(r.resource_id),
    branchType: r.branch_type as BranchType,
    status: Number(r.status),
    clientId: (r.client_id as string | null) ?? null,
    applicationData: (r.application_data as string | null) ?? null,
  };
}

export class SessionStore {
  constructor(
    private readonly pool: Pool,
    private readonly t: TableNames,
  ) {
    // Row locks on lock_table rows only, without InnoDB gap locks between concurrent inserts.
    // The event hands over mysql2's core (callback) connection; commands on it run in order,
    // so this one precedes anything the pool later runs on the connection.
    pool.on('connection', (c) => {
      (c as unknown as { query(sql: string, cb: () => void): void }).query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', () => undefined);
    });
    // The hot paths' statements depend only on the table names: written once, here.
    const g = `\`${t.global}\``;
    this.registerSql = [
      'START TRANSACTION',
      `SELECT status, begin_time, timeout FROM ${g} WHERE xid = ? FOR UPDATE`,
      `INSERT INTO \`${t.branch}\` (branch_id, xid, transaction_id, resource_id, branch_type, status, client_id,
        application_data, gmt_create, gmt_modified)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, NOW(6), NOW(6) FROM ${g}
        WHERE xid = ? AND status = ${GlobalStatus.Begin} AND begin_time + timeout >= ?`,
    ];
    this.lockInsert = `INSERT INTO \`${t.lock}\` (row_key, xid, transaction_id, branch_id, resource_id, table_name, pk, gmt_create, gmt_modified) `;
    this.lockRow = `SELECT ?, ?, ?, ?, ?, ?, ?, NOW(), NOW() FROM \`${t.branch}\` WHERE branch_id = ?`;
    this.commitSql = [
      'START TRANSACTION',
      `SELECT status FROM ${g} WHERE xid = ? FOR UPDATE`,
      `UPDATE ${g} SET status = CASE
          WHEN begin_time + timeout < ? THEN ${GlobalStatus.TimeoutRollbacking}
          WHEN EXISTS (SELECT 1 FROM \`${t.branch}\` b WHERE b.xid = ? AND b.branch_type <> 'AT') THEN ${GlobalStatus.Committing}
          ELSE ${GlobalStatus.AsyncCommitting} END,
        owner = ?, lease_until = ?, gmt_modified = NOW()
        WHERE xid = ? AND status = ${GlobalStatus.Begin}`,
      `DELETE FROM \`${t.lock}\` WHERE xid = ? AND (SELECT status FROM ${g} WHERE xid = ?) = ${GlobalStatus.AsyncCommitting}`,
      `SELECT status FROM ${g} WHERE xid = ?`,
      'COMMIT',
    ];
  }

  private readonly registerSql: string[];
  private readonly lockInsert: string;
  private readonly lockRow: string;
  private readonly commitSql: string[];

  private tx<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    return withLocalTransaction(this.pool, fn);
  }

  /** One round trip of several statements; results come back one per statement. */
  private async batch<T>(fn: (run: (sql: string[], params: unknown[]) => Promise<unknown[]>) => Promise<T>): Promise<T> {
    const c = await this.pool.getConnection();
    let open = false;
    try {
      const out = await fn(async (sql, params) => {
        open = true;
        const [results] = await c.query(sql.join(';\n'), params);
        open = !/^COMMIT$|^ROLLBACK$/.test(sql[sql.length - 1]!);
        // A batch of one statement answers with that statement's result, not a list.
        return sql.length === 1 ? [results] : (results as unknown[]);
      });
      if (open) await c.query('COMMIT');
      return out;
    } catch (err) {
      if (open) await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async insertGlobal(s: GlobalSession): Promise<void> {
    await this.pool.query(
      `INSERT INTO \`${this.t.global}\` (xid, transaction_id, status, application_id, transaction_name, timeout,
        begin_time, owner, lease_until, gmt_create, gmt_modified) VALUES (?,?,?,?,?,?,?,?,?,NOW(),NOW())`,
      [s.xid, s.transactionId, s.status, s.applicationId, s.transactionName, s.timeout, s.beginTime, s.owner, s.leaseUntil],
    );
  }

  async getGlobal(xid: string): Promise<GlobalSession | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT * FROM \`${this.t.global}\` WHERE xid = ?`, [xid]);
    return rows[0] ? toGlobal(rows[0]) : undefined;
  }

  async branches(xid: string): Promise<BranchSession[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT * FROM \`${this.t.branch}\` WHERE xid = ? ORDER BY gmt_create, branch_id`,
      [xid],
    );
    return rows.map(toBranch);
  }

  /** The global and its branches, read in one round trip (phase two starts from both). */
  async globalWithBranches(xid: string): Promise<{ global: GlobalSession | undefined; branches: BranchSession[] }> {
    const [rows] = await this.pool.query<RowDataPacket[][]>(
      `SELECT * FROM \`${this.t.global}\` WHERE xid = ?; SELECT * FROM \`${this.t.branch}\` WHERE xid = ? ORDER BY gmt_create, branch_id`,
      [xid, xid],
    );
    return { global: rows[0]![0] ? toGlobal(rows[0]![0]) : undefined, branches: rows[1]!.map(toBranch) };
  }

  /**
   * Registers a branch and takes its row locks atomically, only while the global is Begin.
   * The common case — the global is active and no key is held — is one round trip: the global
   * row is locked, the branch inserted only if the global is still Begin and in time, its lock
   * rows only if the branch went in, and the batch commits. A key already held (by another
   * transaction, or by an earlier branch of this one) fails the lock insert; then the batch is
   * rolled back and the general path below sorts out which it was.
   */
  async registerBranch(b: BranchSession, locks: RowLockRequest[], now: number): Promise<void> {
    const sql = [
      ...this.registerSql,
      ...(locks.length > 0 ? [this.lockInsert + locks.map(() => this.lockRow).join(' UNION ALL ')] : []),
      'COMMIT',
    ];
    const params: unknown[] = [
      b.xid,
      b.branchId, b.xid, b.transactionId, b.resourceId, b.branchType, b.status, b.clientId, b.applicationData,
      b.xid, now,
      ...locks.flatMap((l) => [l.rowKey, b.xid, b.transactionId, b.branchId, b.resourceId, l.table, l.pk, b.branchId]),
    ];
    let results: unknown[];
    try {
      results = await this.batch((run) => run(sql, params));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === DUPLICATE) return this.registerBranchSlowly(b, locks, now);
      // Nothing was written; the RM retries a conflict after a pause, as it does for a held key.
      if (code !== undefined && DEADLOCK.has(code))
        throw new TxLockConflictError(b.xid, locks.map((l) => l.rowKey).join(','), 'a concurrent transaction');
      throw err;
    }
    if ((results[2] as ResultSetHeader).affectedRows === 1) return;
    const g = (results[1] as RowDataPacket[])[0];
    if (!g) throw new TxNotFoundError(b.xid);
    if (Number(g.status) !== GlobalStatus.Begin) throw new TxNotActiveError(b.xid, globalStatusName(Number(g.status)));
    throw new TxNotActiveError(b.xid, 'timed out');
  }

  private async registerBranchSlowly(b: BranchSession, locks: RowLockRequest[], now: number): Promise<void> {
    await this.tx(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(`SELECT * FROM \`${this.t.global}\` WHERE xid = ? FOR UPDATE`, [b.xid]);
      const g = rows[0] ? toGlobal(rows[0]) : undefined;
      if (!g) throw new TxNotFoundError(b.xid);
      if (g.status !== GlobalStatus.Begin) throw new TxNotActiveError(b.xid, globalStatusName(g.status));
      if (g.beginTime + g.timeout < now) throw new TxNotActiveError(b.xid, 'timed out');
      if (locks.length > 0) await this.acquireLocks(c, b, locks);
      await c.query(
        `INSERT INTO \`${this.t.branch}\` (branch_id, xid, transaction_id, resource_id, branch_type, status, client_id,
          application_data, gmt_create, gmt_modified) VALUES (?,?,?,?,?,?,?,?,NOW(6),NOW(6))`,
        [b.branchId, b.xid, b.transactionId, b.resourceId, b.branchType, b.status, b.clientId, b.applicationData],
      );
    });
  }

  private async acquireLocks(c: PoolConnection, b: BranchSession, locks: RowLockRequest[]): Promise<void> {
    const keys = locks.map((l) => l.rowKey);
    try {
      const [held] = await c.query<RowDataPacket[]>(
        `SELECT row_key, xid FROM \`${this.t.lock}\` WHERE row_key IN (?) FOR UPDATE`,
        [keys],
      );
      const mine = new Set<string>();
      for (const h of held) {
        if (h.xid !== b.xid) throw new TxLockConflictError(b.xid, String(h.row_key), String(h.xid));
        mine.add(String(h.row_key));
      }
      const fresh = locks.filter((l) => !mine.has(l.rowKey));
      if (fresh.length === 0) return;
      await c.query(
        `INSERT INTO \`${this.t.lock}\` (row_key, xid, transaction_id, branch_id, resource_id, table_name, pk, gmt_create, gmt_modified) VALUES ?`,
        [fresh.map((l) => [l.rowKey, b.xid, b.transactionId, b.branchId, b.resourceId, l.table, l.pk, new Date(), new Date()])],
      );
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Another TC connection inserted the same key between our SELECT and INSERT.
      if (code === DUPLICATE || (code !== undefined && DEADLOCK.has(code)))
        throw new TxLockConflictError(b.xid, keys.join(','), 'a concurrent transaction');
      throw err;
    }
  }

  /** Which of these keys are held by a transaction other than `xid` (GlobalLockQuery). */
  async lockHolders(keys: string[], xid: string | undefined): Promise<{ rowKey: string; xid: string }[]> {
    if (keys.length === 0) return [];
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT row_key, xid FROM \`${this.t.lock}\` WHERE row_key IN (?)`, [keys]);
    return rows.filter((r) => r.xid !== xid).map((r) => ({ rowKey: String(r.row_key), xid: String(r.xid) }));
  }

  /** Moves the global to `to` when its status is one of `from`; returns the status it found. */
  async transition(
    xid: string,
    from: readonly number[],
    to: number,
    owner: string,
    leaseUntil: number,
  ): Promise<{ found: number; to: number } | undefined> {
    // Two round trips: read (and lock) the global, then write and commit.
    return this.batch(async (run) => {
      const read = await run(['START TRANSACTION', `SELECT status FROM \`${this.t.global}\` WHERE xid = ? FOR UPDATE`], [xid]);
      const row = (read[1] as RowDataPacket[])[0];
      if (!row) return undefined;
      const found = Number(row.status);
      if (!from.includes(found)) return { found, to: found };
      await run(
        [`UPDATE \`${this.t.global}\` SET status = ?, owner = ?, lease_until = ?, gmt_modified = NOW() WHERE xid = ?`, 'COMMIT'],
        [to, owner, leaseUntil, xid],
      );
      return { found, to };
    });
  }

  /**
   * GlobalCommit's decision, made by MySQL in one round trip under the global row's lock: a
   * session past its deadline goes to TimeoutRollbacking, whatever the TM asks; one whose
   * branches are all AT goes to AsyncCommitting and frees its row locks at once (AT data is
   * committed locally already, so phase two only deletes undo logs — Seata's async commit);
   * any other goes to Committing for a synchronous phase two. Only a session in Begin moves;
   * returns the status found and the status it has now.
   */
  async commitTransition(xid: string, now: number, owner: string, leaseUntil: number): Promise<{ found: number; to: number } | undefined> {
    const results = await this.batch((run) => run(this.commitSql, [xid, now, xid, owner, leaseUntil, xid, xid, xid, xid]));
    const found = (results[1] as RowDataPacket[])[0];
    const after = (results[4] as RowDataPacket[])[0];
    return found && after ? { found: Number(found.status), to: Number(after.status) } : undefined;
  }

  async setGlobalStatus(xid: string, status: number): Promise<void> {
    await this.pool.query(`UPDATE \`${this.t.global}\` SET status = ?, gmt_modified = NOW() WHERE xid = ?`, [status, xid]);
  }

  async setBranchStatus(branchId: string, status: number): Promise<void> {
    await this.pool.query(`UPDATE \`${this.t.branch}\` SET status = ?, gmt_modified = NOW(6) WHERE branch_id = ?`, [status, branchId]);
  }

  async reportBranch(xid: string, branchId: string, status: number, applicationData?: string): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE \`${this.t.branch}\` SET status = ?, application_data = COALESCE(?, application_data), gmt_modified = NOW(6)
        WHERE branch_id = ? AND xid = ?`,
      [status, applicationData ?? null, branchId, xid],
    );
    return res.affectedRows > 0;
  }

  /** A branch finished phase two: forget it and free its row locks, in one transaction. */
  async removeBranch(branchId: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query(`DELETE FROM \`${this.t.lock}\` WHERE branch_id = ?`, [branchId]);
      await c.query(`DELETE FROM \`${this.t.branch}\` WHERE branch_id = ?`, [branchId]);
    });
  }

  async releaseLocks(xid: string): Promise<void> {
    await this.pool.query(`DELETE FROM \`${this.t.lock}\` WHERE xid = ?`, [xid]);
  }

  /**
   * Ends sessions: their branches and locks go, their rows stay with the final status for
   * `retainMs` so a TM that lost the answer can still ask how it ended (then `purge` drops
   * them). Several at once share one transaction, and so one log flush.
   */
  async finish(sessions: readonly { xid: string; status: number }[]): Promise<void> {
    if (sessions.length === 0) return;
    // One statement per session and table, each an index lookup by xid: `xid IN (...)` let
    // MySQL scan whole tables, locking rows of other transactions (gap and supremum locks
    // included) until it deadlocked with concurrent branch registrations.
    const one = [
      `DELETE FROM \`${this.t.lock}\` WHERE xid = ?`,
      `DELETE FROM \`${this.t.branch}\` WHERE xid = ?`,
      `UPDATE \`${this.t.global}\` SET status = ?, gmt_modified = NOW() WHERE xid = ?`,
    ];
    // In primary-key order, the order renewLeases locks global rows in.
    const ordered = [...sessions].sort((a, b) => (a.xid < b.xid ? -1 : a.xid > b.xid ? 1 : 0));
    await this.batch((run) =>
      run(
        ['START TRANSACTION', ...ordered.flatMap(() => one), 'COMMIT'],
        ordered.flatMap((x) => [x.xid, x.xid, x.status, x.xid]),
      ),
    );
  }

  async purge(retainSeconds: number): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `DELETE FROM \`${this.t.global}\` WHERE status IN (?) AND gmt_modified < NOW() - INTERVAL ? SECOND LIMIT 1000`,
      [[GlobalStatus.Committed, GlobalStatus.Rollbacked, GlobalStatus.TimeoutRollbacked], retainSeconds],
    );
    return res.affectedRows;
  }

  /**
   * Only unfinished sessions need a lease: a finished one, kept for status queries, is never
   * taken over, and rewriting every retained row each round was most of an idle TC's writes.
   * The rows are found by a plain read and updated by primary key: an UPDATE that searched by
   * (status, lease) locked that index before the rows, the opposite order to a commit moving
   * a session's status, and the two deadlocked under load.
   */
  async renewLeases(owner: string, leaseUntil: number): Promise<void> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT xid FROM \`${this.t.global}\` WHERE owner = ? AND status IN (?)`, [
      owner,
      [GlobalStatus.Begin, ...PHASE_TWO_STATUSES],
    ]);
    if (rows.length === 0) return;
    await this.pool.query(`UPDATE \`${this.t.global}\` SET lease_until = ? WHERE xid IN (?) AND owner = ?`, [
      leaseUntil,
      rows.map((r) => String(r.xid)),
      owner,
    ]);
  }

  /** Takes a session over when we own it already or its owner's lease ran out. */
  async claim(xid: string, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE \`${this.t.global}\` SET owner = ?, lease_until = ? WHERE xid = ? AND (owner = ? OR lease_until < ?)`,
      [owner, leaseUntil, xid, owner, now],
    );
    return res.affectedRows > 0;
  }

  /** Sessions this TC should act on: ours, or orphaned by a TC whose lease expired. */
  async recoverable(owner: string, now: number, limit = 100): Promise<GlobalSession[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT * FROM \`${this.t.global}\` WHERE (owner = ? OR lease_until < ?)
        AND (status IN (?) OR (status = ? AND begin_time + timeout < ?)) ORDER BY begin_time LIMIT ?`,
      [owner, now, PHASE_TWO_STATUSES, GlobalStatus.Begin, now, limit],
    );
    return rows.map(toGlobal);
  }

  async list(limit = 200): Promise<{ global: GlobalSession; branches: BranchSession[] }[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT * FROM \`${this.t.global}\` ORDER BY begin_time DESC LIMIT ?`, [limit]);
    const out = [];
    for (const r of rows) {
      const g = toGlobal(r);
      out.push({ global: g, branches: await this.branches(g.xid) });
    }
    return out;
  }

  async locksOf(xid: string): Promise<string[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT row_key FROM \`${this.t.lock}\` WHERE xid = ?`, [xid]);
    return rows.map((r) => String(r.row_key));
  }
}

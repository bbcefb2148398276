/**
 * The session store against a real MariaDB, at the level of its batched statements: branch
 * registration's one-round-trip path and the general path it falls back to (a key held by
 * another transaction, or by an earlier branch of the same one), the refusals (unknown,
 * ending and timed-out sessions) with nothing left behind, and GlobalCommit's decision
 * (async for AT only, synchronous otherwise, rollback past the deadline).
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BranchStatus, BranchType, GlobalStatus, TX_ERROR_CODES } from '@silk/platform-sdk/tx';
import { createTables, dropTables, tableNames } from './schema.js';
import { SessionStore, type BranchSession, type RowLockRequest } from './session-store.js';

const sfx = `_store${process.pid}`;
const t = tableNames(sfx);
const db = { host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx' };
let pool: Pool;
let store: SessionStore;
let seq = 0;

async function begin(opts: { timeout?: number; beginTime?: number } = {}): Promise<string> {
  const id = String(9_000_000 + ++seq);
  const xid = `127.0.0.1:8091:${id}`;
  await store.insertGlobal({
    xid,
    transactionId: id,
    status: GlobalStatus.Begin,
    applicationId: 'store-test',
    transactionName: 'store-test',
    timeout: opts.timeout ?? 60_000,
    beginTime: opts.beginTime ?? Date.now(),
    owner: 'tc-test',
    leaseUntil: Date.now() + 10_000,
  });
  return xid;
}

function branch(xid: string, type: BranchSession['branchType'] = BranchType.AT): BranchSession {
  return {
    branchId: String(8_000_000 + ++seq),
    xid,
    transactionId: xid.split(':')[2]!,
    resourceId: 'res-1',
    branchType: type,
    status: BranchStatus.Registered,
    clientId: 'client-1',
    applicationData: null,
  };
}

const lock = (pk: string): RowLockRequest => ({ rowKey: `res-1^^^item^^^${pk}`, table: 'item', pk });

async function count(table: string, xid: string): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) n FROM \`${table}\` WHERE xid = ?`, [xid]);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  pool = mysql.createPool({ ...db, connectionLimit: 4, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
  await pool.query('SELECT 1').catch((err: unknown) => {
    throw new Error(`MariaDB not reachable on 127.0.0.1:3306 — run \`pnpm stack up\` (${String(err)})`);
  });
  await createTables(pool, t);
  store = new SessionStore(pool, t);
});

afterAll(async () => {
  if (!pool) return;
  await dropTables(pool, t);
  await pool.end();
});

describe('SessionStore.registerBranch', () => {
  it('registers a branch with its locks in one go while the session is Begin', async () => {
    const xid = await begin();
    const b = branch(xid);
    await store.registerBranch(b, [lock('1'), lock('2')], Date.now());
    expect((await store.branches(xid)).map((x) => x.branchId)).toEqual([b.branchId]);
    expect((await store.locksOf(xid)).sort()).toEqual([lock('1').rowKey, lock('2').rowKey]);
    // A branch with no row locks (TCC, or an AT branch that touched nothing lockable).
    await store.registerBranch(branch(xid, BranchType.TCC), [], Date.now());
    expect(await count(t.branch, xid)).toBe(2);
  });

  it('refuses a key another transaction holds, and leaves neither branch nor lock behind', async () => {
    const holder = await begin();
    await store.registerBranch(branch(holder), [lock('10')], Date.now());
    const xid = await begin();
    const err = await store.registerBranch(branch(xid), [lock('11'), lock('10')], Date.now()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: TX_ERROR_CODES.SILK_TX_LOCK_CONFLICT, details: { holderXid: holder } });
    expect(await count(t.branch, xid)).toBe(0);
    expect(await count(t.lock, xid)).toBe(0);
    expect(await store.locksOf(holder)).toEqual([lock('10').rowKey]);
  });

  it('lets a later branch of the same transaction take a key it already holds', async () => {
    const xid = await begin();
    await store.registerBranch(branch(xid), [lock('20')], Date.now());
    await store.registerBranch(branch(xid), [lock('20'), lock('21')], Date.now());
    expect(await count(t.branch, xid)).toBe(2);
    expect((await store.locksOf(xid)).sort()).toEqual([lock('20').rowKey, lock('21').rowKey]);
  });

  it('refuses unknown, ending and timed-out sessions with the reason, changing nothing', async () => {
    await expect(store.registerBranch(branch('127.0.0.1:8091:1'), [lock('30')], Date.now())).rejects.toMatchObject({
      code: TX_ERROR_CODES.SILK_TX_NOT_FOUND,
    });
    const ending = await begin();
    await store.transition(ending, [GlobalStatus.Begin], GlobalStatus.Rollbacking, 'tc-test', Date.now() + 10_000);
    await expect(store.registerBranch(branch(ending), [lock('31')], Date.now())).rejects.toMatchObject({
      code: TX_ERROR_CODES.SILK_TX_NOT_ACTIVE,
      details: { status: 'Rollbacking' },
    });
    const late = await begin({ timeout: 1000, beginTime: Date.now() - 5000 });
    await expect(store.registerBranch(branch(late), [lock('32')], Date.now())).rejects.toMatchObject({
      code: TX_ERROR_CODES.SILK_TX_NOT_ACTIVE,
      details: { status: 'timed out' },
    });
    for (const xid of [ending, late]) {
      expect(await count(t.branch, xid)).toBe(0);
      expect(await count(t.lock, xid)).toBe(0);
    }
    expect(await store.lockHolders([lock('30').rowKey, lock('31').rowKey, lock('32').rowKey], undefined)).toEqual([]);
  });
});

describe('SessionStore.transition', () => {
  it('commits an AT-only session asynchronously and frees its locks at once; reports what it found', async () => {
    const xid = await begin();
    await store.registerBranch(branch(xid), [lock('40')], Date.now());
    const moved = await store.commitTransition(xid, Date.now(), 'tc-test', Date.now() + 10_000);
    expect(moved).toEqual({ found: GlobalStatus.Begin, to: GlobalStatus.AsyncCommitting });
    expect(await store.locksOf(xid)).toEqual([]);
    // Not from Begin any more: reports what it found and changes nothing.
    expect(await store.commitTransition(xid, Date.now(), 'tc-test', 0)).toEqual({
      found: GlobalStatus.AsyncCommitting,
      to: GlobalStatus.AsyncCommitting,
    });
    const again = await store.transition(xid, [GlobalStatus.Begin], GlobalStatus.Rollbacking, 'tc-test', Date.now());
    expect(again).toEqual({ found: GlobalStatus.AsyncCommitting, to: GlobalStatus.AsyncCommitting });
    expect((await store.getGlobal(xid))!.status).toBe(GlobalStatus.AsyncCommitting);
    expect(await store.commitTransition('127.0.0.1:8091:2', Date.now(), 'tc-test', 0)).toBeUndefined();
    expect(await store.transition('127.0.0.1:8091:2', [GlobalStatus.Begin], GlobalStatus.Rollbacking, 'tc-test', 0)).toBeUndefined();
  });

  it('commits a session with a non-AT branch synchronously, keeping the locks for phase two', async () => {
    const xid = await begin();
    await store.registerBranch(branch(xid), [lock('41')], Date.now());
    await store.registerBranch(branch(xid, BranchType.TCC), [], Date.now());
    expect(await store.commitTransition(xid, Date.now(), 'tc-test', Date.now() + 10_000)).toEqual({
      found: GlobalStatus.Begin,
      to: GlobalStatus.Committing,
    });
    expect(await store.locksOf(xid)).toEqual([lock('41').rowKey]);
  });

  it('rolls back a session asked to commit past its deadline, keeping the locks for the undo', async () => {
    const xid = await begin({ timeout: 60_000 });
    await store.registerBranch(branch(xid), [lock('42')], Date.now());
    expect(await store.commitTransition(xid, Date.now() + 61_000, 'tc-test', Date.now() + 10_000)).toEqual({
      found: GlobalStatus.Begin,
      to: GlobalStatus.TimeoutRollbacking,
    });
    expect(await store.locksOf(xid)).toEqual([lock('42').rowKey]);
  });

  it('finishes sessions together: their branches and locks go, each final status stays readable, others untouched', async () => {
    const xid = await begin();
    await store.registerBranch(branch(xid), [lock('50')], Date.now());
    await store.transition(xid, [GlobalStatus.Begin], GlobalStatus.Rollbacking, 'tc-test', Date.now() + 10_000);
    const { global, branches } = await store.globalWithBranches(xid);
    expect(global?.status).toBe(GlobalStatus.Rollbacking);
    expect(branches).toHaveLength(1);
    const other = await begin();
    await store.registerBranch(branch(other), [lock('51')], Date.now());
    const untouched = await begin();
    await store.registerBranch(branch(untouched), [lock('52')], Date.now());
    await store.finish([
      { xid, status: GlobalStatus.Rollbacked },
      { xid: other, status: GlobalStatus.Committed },
    ]);
    expect(await store.globalWithBranches(xid)).toMatchObject({ global: { status: GlobalStatus.Rollbacked }, branches: [] });
    expect(await store.globalWithBranches(other)).toMatchObject({ global: { status: GlobalStatus.Committed }, branches: [] });
    expect(await store.locksOf(xid)).toEqual([]);
    expect(await store.locksOf(other)).toEqual([]);
    expect(await store.globalWithBranches(untouched)).toMatchObject({ global: { status: GlobalStatus.Begin }, branches: [{}] });
    expect(await store.locksOf(untouched)).toEqual([lock('52').rowKey]);
  });
});

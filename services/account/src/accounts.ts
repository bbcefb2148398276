/**
 * Balances. Reads are cached like stock (two levels, evicted after a debit commits locally and
 * again after the AT window); debits join the caller's global transaction.
 */
import type { Redis } from 'ioredis';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Cache } from '@silk/platform-sdk/cache';
import { BigDecimal, javaException } from '@silk/platform-sdk/dubbo';
import type { AtDataSource } from '@silk/platform-sdk/tx';
import { BUSINESS_EXCEPTION, fromCents, INSUFFICIENT_BALANCE, readCache, toCents } from '@silk/shop-api';

export interface Account {
  userId: string;
  /** Decimal string, two places. */
  balance: string;
}

export const ACCOUNT_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS account (
     user_id VARCHAR(32) NOT NULL PRIMARY KEY,
     balance DECIMAL(12,2) NOT NULL
   )`,
  `INSERT IGNORE INTO account (user_id, balance) VALUES ('U1001', 1000.00), ('U1002', 5.00)`,
];

export class Accounts {
  readonly cache: Cache<string, Account>;

  constructor(
    private readonly pool: Pool,
    private readonly at: AtDataSource,
    redis: Redis,
  ) {
    this.cache = readCache<Account>('account-balance', redis, (userId) => this.load(userId));
  }

  account(userId: string): Promise<Account | undefined> {
    return this.cache.get(userId);
  }

  /** Dubbo `debit(String, BigDecimal)`: answers the balance left. */
  async debit(userId: string, money: BigDecimal | string | number): Promise<BigDecimal> {
    const cents = toCents(String(money));
    if (typeof userId !== 'string' || cents <= 0)
      throw javaException('java.lang.IllegalArgumentException', `debit needs a user and a positive amount, got ${userId} / ${String(money)}`);
    const left = await this.at.transaction(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>('SELECT balance FROM account WHERE user_id = ? FOR UPDATE', [userId]);
      const row = rows[0];
      if (!row) throw javaException(BUSINESS_EXCEPTION, `no account for user ${userId}`);
      const balance = toCents(String(row.balance));
      if (balance < cents)
        throw javaException(BUSINESS_EXCEPTION, `${INSUFFICIENT_BALANCE}: ${userId} has ${fromCents(balance)}, ${fromCents(cents)} asked`);
      await c.query('UPDATE account SET balance = balance - ? WHERE user_id = ?', [fromCents(cents), userId]);
      return balance - cents;
    });
    await this.cache.evict(userId);
    return new BigDecimal(fromCents(left));
  }

  private async load(userId: string): Promise<Account | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT user_id, balance FROM account WHERE user_id = ?', [userId]);
    const r = rows[0];
    return r ? { userId: String(r.user_id), balance: String(r.balance) } : undefined;
  }
}

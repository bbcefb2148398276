/**
 * Products and their stock. Reads dominate (every order asks the price, every product page the
 * stock), so they go through the estate's read cache; a deduction evicts the product after its
 * local commit (and the cache deletes once more a little later, see shop-api's read-cache).
 */
import type { Redis } from 'ioredis';
import type { Cache } from '@silk/platform-sdk/cache';
import { BigDecimal, javaException } from '@silk/platform-sdk/dubbo';
import type { AtDataSource } from '@silk/platform-sdk/tx';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { BUSINESS_EXCEPTION, INSUFFICIENT_STOCK, readCache, UNKNOWN_PRODUCT } from '@silk/shop-api';

export interface Product {
  code: string;
  name: string;
  /** Decimal string, two places. */
  price: string;
  stock: number;
}

export const STORAGE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS product (
     code VARCHAR(32) NOT NULL PRIMARY KEY,
     name VARCHAR(128) NOT NULL,
     price DECIMAL(12,2) NOT NULL,
     stock INT NOT NULL
   )`,
  // Seeded once; a restart keeps whatever stock orders have left.
  `INSERT IGNORE INTO product (code, name, price, stock) VALUES
     ('P1001', 'Silk scarf', 19.90, 100),
     ('P1002', 'Tea set', 59.00, 50),
     ('P1003', 'Paper fan', 4.50, 500)`,
];

export class Inventory {
  readonly cache: Cache<string, Product>;

  constructor(
    private readonly pool: Pool,
    private readonly at: AtDataSource,
    redis: Redis,
  ) {
    this.cache = readCache<Product>('storage-product', redis, (code) => this.load(code));
  }

  product(code: string): Promise<Product | undefined> {
    return this.cache.get(code);
  }

  async list(): Promise<Product[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT code, name, price, stock FROM product ORDER BY code');
    return rows.map(toProduct);
  }

  /** Dubbo `deduct(String, int)`: joins the caller's global transaction through the XID it sent. */
  async deduct(code: string, count: number): Promise<BigDecimal> {
    if (typeof code !== 'string' || !Number.isInteger(count) || count <= 0)
      throw javaException('java.lang.IllegalArgumentException', `deduct needs a product code and a positive count, got ${code} × ${count}`);
    const price = await this.at.transaction(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>('SELECT price, stock FROM product WHERE code = ? FOR UPDATE', [code]);
      const row = rows[0];
      if (!row) throw javaException(BUSINESS_EXCEPTION, `${UNKNOWN_PRODUCT}: ${code}`);
      const [res] = await c.query<ResultSetHeader>('UPDATE product SET stock = stock - ? WHERE code = ? AND stock >= ?', [count, code, count]);
      if (res.affectedRows === 0)
        throw javaException(BUSINESS_EXCEPTION, `${INSUFFICIENT_STOCK}: ${code} has ${String(row.stock)}, ${count} asked`);
      return String(row.price);
    });
    await this.cache.evict(code);
    return new BigDecimal(price);
  }

  private async load(code: string): Promise<Product | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT code, name, price, stock FROM product WHERE code = ?', [code]);
    return rows[0] ? toProduct(rows[0]) : undefined;
  }
}

function toProduct(r: RowDataPacket): Product {
  return { code: String(r.code), name: String(r.name), price: String(r.price), stock: Number(r.stock) };
}

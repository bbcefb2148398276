/**
 * Placing an order — the estate's global transaction:
 *
 *   half message (ORDER_CREATED) ─▶ globalTransaction {
 *       storage.deduct   (Dubbo, AT branch in silk_storage)
 *       account.debit    (Dubbo, AT branch in silk_account)
 *       INSERT orders    (AT branch here, with the XID)
 *   } ─▶ commit the message, or roll it back when the transaction did not commit.
 *
 * The price comes first from storage's cached product read over HTTP. When this process dies
 * between the half message and its end, the broker asks `check`: an order row exists only when
 * its transaction committed or is still deciding (AT deletes it on rollback), so the row plus
 * the coordinator's word on its XID settle the message.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { currentXid } from '@silk/platform-sdk/core';
import { BigDecimal, DubboRemoteException, type DubboReference } from '@silk/platform-sdk/dubbo';
import type { ServiceClient } from '@silk/platform-sdk/http';
import type { MessageProducer, ReceivedMessage, TransactionCheckResult } from '@silk/platform-sdk/rocketmq';
import { GlobalStatus, isCommittingStatus, isGlobalFinal, type AtDataSource, type TxClient } from '@silk/platform-sdk/tx';
import type { SnowflakeGenerator } from '@silk/platform-sdk/datasource';
import { BUSINESS_EXCEPTION, fromCents, ORDER_CREATED_TAG, ORDER_EVENTS_TOPIC, toCents, type OrderCreatedEvent } from '@silk/shop-api';

export const ORDER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS orders (
     id BIGINT NOT NULL PRIMARY KEY,
     user_id VARCHAR(32) NOT NULL,
     commodity_code VARCHAR(32) NOT NULL,
     count INT NOT NULL,
     money DECIMAL(12,2) NOT NULL,
     xid VARCHAR(128) NOT NULL,
     created_at DATETIME(3) NOT NULL,
     KEY idx_user (user_id)
   )`,
];

export interface PlaceOrder {
  userId: string;
  commodityCode: string;
  count: number;
}

/** A refusal the caller can act on (bad product, no stock, no money): a 4xx, nothing changed. */
export class OrderRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface OrderDeps {
  pool: Pool;
  at: AtDataSource;
  tx: TxClient;
  ids: SnowflakeGenerator;
  producer: MessageProducer;
  storageHttp: ServiceClient;
  storage: DubboReference;
  account: DubboReference;
  timeoutMs: () => number;
}

interface StorageApi {
  deduct(code: string, count: number): Promise<unknown>;
}
interface AccountApi {
  debit(user: string, money: BigDecimal): Promise<unknown>;
}

export class Orders {
  // Typed proxies built once, not per order.
  private readonly storage: StorageApi;
  private readonly account: AccountApi;

  constructor(private readonly d: OrderDeps) {
    this.storage = d.storage.proxy<StorageApi>();
    this.account = d.account.proxy<AccountApi>();
  }

  async place(o: PlaceOrder): Promise<OrderCreatedEvent> {
    const res = await this.d.storageHttp.call(`http://storage-service/products/${encodeURIComponent(o.commodityCode)}`, {
      uriTemplate: '/products/{code}',
    });
    if (res.status === 404) throw new OrderRefused(`unknown product ${o.commodityCode}`, 404);
    if (res.status !== 200) throw new Error(`storage-service answered ${res.status}: ${await res.text()}`);
    const product = await res.json<{ price: string }>();
    const money = fromCents(toCents(product.price) * o.count);
    const event: OrderCreatedEvent = {
      orderId: String(await this.d.ids.nextId()),
      userId: o.userId,
      commodityCode: o.commodityCode,
      count: o.count,
      money,
      createdAt: new Date().toISOString(),
    };
    const message = { topic: ORDER_EVENTS_TOPIC, tag: ORDER_CREATED_TAG, keys: [event.orderId], body: JSON.stringify(event) };
    try {
      await this.d.producer.sendInTransaction(message, () =>
        this.d.tx.tm.globalTransaction(
          async () => {
            await this.storage.deduct(o.commodityCode, o.count);
            await this.account.debit(o.userId, new BigDecimal(money));
            await this.d.at.query(
              'INSERT INTO orders (id, user_id, commodity_code, count, money, xid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
              [event.orderId, o.userId, o.commodityCode, o.count, money, currentXid(), new Date(event.createdAt)],
            );
          },
          { name: 'place-order', timeoutMs: this.d.timeoutMs() },
        ),
      );
    } catch (err) {
      const refusal = businessRefusal(err);
      if (refusal) throw new OrderRefused(refusal, 409);
      throw err;
    }
    return event;
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const [rows] = await this.d.pool.query<RowDataPacket[]>('SELECT * FROM orders WHERE id = ?', [id]);
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  async byUser(userId: string): Promise<Record<string, unknown>[]> {
    const [rows] = await this.d.pool.query<RowDataPacket[]>('SELECT * FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT 100', [userId]);
    return rows.map(toOrder);
  }

  /** The broker's check of a half message whose producer never said commit or rollback. */
  async check(message: ReceivedMessage): Promise<TransactionCheckResult> {
    const id = message.keys[0];
    if (!id) return 'ROLLBACK';
    const [rows] = await this.d.pool.query<RowDataPacket[]>('SELECT xid FROM orders WHERE id = ?', [id]);
    const row = rows[0];
    if (!row) {
      // No row: rolled back, never written, or phase one still running. Past the transaction's
      // timeout the coordinator has ended it, so the absence is final.
      const age = Date.now() - (message.bornAt?.getTime() ?? 0);
      return age > this.d.timeoutMs() + 5_000 ? 'ROLLBACK' : 'UNKNOWN';
    }
    let status: number;
    try {
      status = (await this.d.tx.tc.request('GlobalStatus', { xid: String(row.xid) })).status;
    } catch (err) {
      // Purged by the coordinator (long finished) with the row still there: it committed.
      // Anything else (coordinator unreachable) is asked again at the broker's next check.
      return (err as { code?: string }).code === 'SILK_TX_NOT_FOUND' ? 'COMMIT' : 'UNKNOWN';
    }
    if (status === GlobalStatus.Committed || isCommittingStatus(status)) return 'COMMIT';
    return isGlobalFinal(status) ? 'ROLLBACK' : 'UNKNOWN';
  }
}

/** A provider's business exception, however deep the transaction and message layers wrapped it. */
function businessRefusal(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof DubboRemoteException && e.javaClass === BUSINESS_EXCEPTION) return e.remote.javaMessage ?? e.message;
  }
  return undefined;
}

function toOrder(r: RowDataPacket): Record<string, unknown> {
  return {
    orderId: String(r.id),
    userId: r.user_id,
    commodityCode: r.commodity_code,
    count: Number(r.count),
    money: String(r.money),
    xid: r.xid,
    createdAt: (r.created_at as Date).toISOString(),
  };
}

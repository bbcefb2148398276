/**
 * The order side of the sample, run in the test's own process: the TM. It inserts the order
 * through AT, then calls storage and account over HTTP (ServiceClient carries TX_XID), all in
 * one global transaction.
 */
import { ServiceClient } from '@silk/platform-sdk/http';
import type { AtDataSource, TxClient } from '@silk/platform-sdk/tx';
import type { SampleTables } from './schema.js';

export interface Order {
  userId: string;
  code: string;
  count: number;
  money: number;
}

export class OrderService {
  readonly http: ServiceClient;

  constructor(
    private readonly tx: TxClient,
    private readonly ds: AtDataSource,
    private readonly t: SampleTables,
    ports: { storage: () => number; account: () => number },
  ) {
    this.http = new ServiceClient({
      discovery: {
        choose: (service) => Promise.resolve({ ip: '127.0.0.1', port: service === 'storage' ? ports.storage() : ports.account(), metadata: {} }),
      },
      timeoutMs: 20_000,
    });
  }

  /** Places the order; `beforeCommit` runs inside the transaction after all branches did phase one. */
  place(o: Order, beforeCommit?: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
    return this.tx.globalTransaction(
      async () => {
        await this.ds.query(`INSERT INTO \`${this.t.order}\` (user_id, commodity_code, count, money) VALUES (?, ?, ?, ?)`, [
          o.userId,
          o.code,
          o.count,
          o.money,
        ]);
        await this.post('storage', '/deduct', { code: o.code, count: o.count });
        await this.post('account', '/debit', { userId: o.userId, money: o.money });
        await beforeCommit?.();
      },
      { name: 'place-order', timeoutMs },
    );
  }

  private async post(service: string, path: string, body: object): Promise<void> {
    const res = await this.http.call(`http://${service}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new BusinessError(`${service}${path} answered ${res.status}: ${text}`);
  }
}

export class BusinessError extends Error {}

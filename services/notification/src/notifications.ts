/**
 * The order-event consumer. Each ORDER_CREATED event becomes one notification row: the
 * Redis dedupe skips a redelivered message cheaply, and the unique order_id makes a second
 * write a no-op should the dedupe record be lost. A handler that throws (database down) is
 * redelivered by the broker with back-off, then dead-lettered.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { ReceivedMessage } from '@silk/platform-sdk/rocketmq';
import type { OrderCreatedEvent } from '@silk/shop-api';

export const NOTIFICATION_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS notification (
     id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
     order_id BIGINT NOT NULL,
     user_id VARCHAR(32) NOT NULL,
     message VARCHAR(512) NOT NULL,
     message_id VARCHAR(64) NOT NULL,
     created_at DATETIME(3) NOT NULL,
     UNIQUE KEY uk_order (order_id),
     KEY idx_user (user_id)
   )`,
];

export class Notifications {
  constructor(private readonly pool: Pool) {}

  async onOrderCreated(m: ReceivedMessage): Promise<void> {
    const e = JSON.parse(m.body.toString('utf8')) as OrderCreatedEvent;
    if (!/^\d+$/.test(String(e.orderId)) || typeof e.userId !== 'string')
      throw new Error(`order event ${m.messageId} is malformed: ${m.body.toString('utf8').slice(0, 200)}`);
    const text = `Order ${e.orderId}: ${e.count} × ${e.commodityCode} for ${e.money}, paid.`;
    await this.pool.query(
      'INSERT IGNORE INTO notification (order_id, user_id, message, message_id, created_at) VALUES (?, ?, ?, ?, ?)',
      [e.orderId, e.userId, text, m.messageId, new Date()],
    );
  }

  async find(q: { orderId?: string; userId?: string }): Promise<Record<string, unknown>[]> {
    const [rows] = q.orderId
      ? await this.pool.query<RowDataPacket[]>('SELECT * FROM notification WHERE order_id = ?', [q.orderId])
      : await this.pool.query<RowDataPacket[]>('SELECT * FROM notification WHERE user_id = ? ORDER BY id DESC LIMIT 100', [q.userId ?? '']);
    return rows.map((r) => ({
      orderId: String(r.order_id),
      userId: String(r.user_id),
      message: String(r.message),
      messageId: String(r.message_id),
      createdAt: (r.created_at as Date).toISOString(),
    }));
  }
}

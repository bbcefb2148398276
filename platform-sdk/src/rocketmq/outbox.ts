/**
 * The transactional outbox: an event is written to a MySQL table in the same local transaction
 * as the business change it announces, so either both happen or neither; a relay (relay.ts)
 * publishes what is pending afterwards. The broker being down, or the service dying between its
 * commit and the send, then delays an event but never loses it.
 *
 * A row keeps everything the message needs, including the request context (XID, trace) as it
 * was when the event was written, and an event id that becomes the message's first key and its
 * `SILK_EVENT_ID` property: the relay sends at least once, so consumers dedupe on it (the
 * `idempotent` wrapper's default key).
 */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { currentContext } from '../core/index.js';
import { MqOptionsError } from './errors.js';
import { contextProperties, type OutgoingMessage } from './message.js';
import { messageTypeOf } from './topics.js';

export const EVENT_ID_PROPERTY = 'SILK_EVENT_ID';

export interface OutboxOptions {
  /** Table name (default `silk_outbox`): letters, digits and underscores. */
  table?: string;
  now?: () => number;
}

/** A pending row as the relay reads it. */
export interface OutboxRow extends RowDataPacket {
  id: number;
  event_id: string;
  topic: string;
  tag: string | null;
  msg_keys: string;
  message_group: string | null;
  deliver_at: number | null;
  properties: string;
  body: Buffer;
  attempts: number;
}

/** Something with `execute`, inside the caller's transaction: a PoolConnection or Connection. */
export type Executor = Pick<PoolConnection, 'execute'>;

export class Outbox {
  readonly table: string;
  private readonly now: () => number;

  constructor(options: OutboxOptions = {}) {
    this.table = options.table ?? 'silk_outbox';
    this.now = options.now ?? Date.now;
    if (!/^[A-Za-z0-9_]{1,64}$/.test(this.table)) {
      throw new MqOptionsError('outbox', 'table', this.table, 'a MySQL table name of letters, digits and _');
    }
  }

  createTableSql(): string {
    return `CREATE TABLE IF NOT EXISTS \`${this.table}\` (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  tag VARCHAR(255) NULL,
  msg_keys TEXT NOT NULL,
  message_group VARCHAR(255) NULL,
  deliver_at BIGINT NULL,
  properties TEXT NOT NULL,
  body LONGBLOB NOT NULL,
  status VARCHAR(8) NOT NULL DEFAULT 'PENDING',
  attempts INT NOT NULL DEFAULT 0,
  last_error VARCHAR(1000) NULL,
  message_id VARCHAR(64) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at TIMESTAMP(3) NULL,
  UNIQUE KEY uk_event_id (event_id),
  KEY idx_status_id (status, id)
) ENGINE=InnoDB`;
  }

  async ensureTable(db: Pick<Pool, 'query'>): Promise<void> {
    await db.query(this.createTableSql());
  }

  /**
   * Writes an event inside the caller's open transaction (call it between your business writes
   * and your COMMIT). The message is validated now, so a bad event fails the business
   * transaction instead of sitting in the table. Transactional messages have no place here.
   */
  async add(tx: Executor, message: OutgoingMessage): Promise<{ id: number; eventId: string }> {
    messageTypeOf(message, false);
    const eventId = randomUUID();
    const deliverAt =
      message.deliverAt?.getTime() ?? (message.delayMs !== undefined ? this.now() + message.delayMs : null);
    const properties = {
      ...contextProperties(currentContext()),
      ...message.properties,
      [EVENT_ID_PROPERTY]: eventId,
    };
    const body = typeof message.body === 'string' ? Buffer.from(message.body) : message.body;
    const [res] = await tx.execute<ResultSetHeader>(
      `INSERT INTO \`${this.table}\` (event_id, topic, tag, msg_keys, message_group, deliver_at, properties, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        eventId,
        message.topic,
        message.tag ?? null,
        JSON.stringify([eventId, ...(message.keys ?? [])]),
        message.messageGroup ?? null,
        deliverAt,
        JSON.stringify(properties),
        body,
      ],
    );
    return { id: res.insertId, eventId };
  }

  /** The message a row stands for. */
  static toMessage(row: OutboxRow): OutgoingMessage {
    const message: OutgoingMessage = {
      topic: row.topic,
      body: row.body,
      keys: JSON.parse(row.msg_keys) as string[],
      properties: JSON.parse(row.properties) as Record<string, string>,
    };
    if (row.tag !== null) message.tag = row.tag;
    if (row.message_group !== null) message.messageGroup = row.message_group;
    if (row.deliver_at !== null) message.deliverAt = new Date(Number(row.deliver_at));
    return message;
  }
}

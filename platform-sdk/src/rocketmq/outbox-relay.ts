/**
 * The outbox relay: publishes pending outbox rows in id order and marks each sent.
 *
 * Each pass claims a batch with `SELECT ... FOR UPDATE SKIP LOCKED` in a READ COMMITTED
 * transaction (no gap locks, so business transactions inserting new events never wait for it,
 * and two relays on one table never take the same rows), sends the rows one by one, marks each
 * sent, and commits. A send that fails stops the pass (later rows of a FIFO group must not
 * overtake it), records the error on the row, and the relay backs off before the next pass.
 *
 * Resumable: the table is the only state. A relay that dies mid-pass leaves its rows pending
 * (its transaction rolls back with the connection), and the next pass sends them again; that is
 * the at-least-once end of the contract, closed by consumers deduping on the event id.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Component } from '../core/index.js';
import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import { consoleLogger, type MqLogger } from './logger.js';
import type { OutgoingMessage } from './message.js';
import { Outbox, type OutboxRow } from './outbox.js';
import type { SendResult } from './producer.js';

export interface OutboxRelayOptions {
  pool: Pool;
  outbox: Outbox;
  /** Usually `producer.send.bind(producer)`; the producer must declare the outbox's topics. */
  send: (message: OutgoingMessage) => Promise<SendResult>;
  batchSize?: number;
  /** Pause between passes when nothing was pending (default 200 ms). */
  idleMs?: number;
  /** Pause after a failed send, by consecutive failures (default 200 ms doubling to 10 s). */
  backoff?: BackoffPolicy;
  logger?: MqLogger;
}

export interface RelayStats {
  sent: number;
  failedSends: number;
  passes: number;
}

export class OutboxRelay implements Component {
  readonly name = 'rocketmq-outbox-relay';
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private failures = 0;
  private readonly counts: RelayStats = { sent: 0, failedSends: 0, passes: 0 };

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the pass in progress, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  stats(): RelayStats {
    return { ...this.counts };
  }

  /** Pending rows in the table (all relays together). */
  async pending(): Promise<number> {
    const [rows] = await this.options.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM \`${this.options.outbox.table}\` WHERE status = 'PENDING'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** One pass: returns how many rows were sent, or -1 when a send failed. */
  async relayOnce(): Promise<number> {
    this.counts.passes++;
    const conn = await this.options.pool.getConnection();
    try {
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.beginTransaction();
      try {
        const sent = await this.sendBatch(conn);
        await conn.commit();
        return sent;
      } catch (err) {
        await conn.rollback();
        throw err;
      }
    } finally {
      conn.release();
    }
  }

  private async sendBatch(conn: PoolConnection): Promise<number> {
    const table = this.options.outbox.table;
    const [rows] = await conn.query<OutboxRow[]>(
      `SELECT id, event_id, topic, tag, msg_keys, message_group, deliver_at, properties, body, attempts
       FROM \`${table}\` WHERE status = 'PENDING' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
      [this.options.batchSize ?? 100],
    );
    let sent = 0;
    for (const row of rows) {
      try {
        const result = await this.options.send(Outbox.toMessage(row));
        await conn.execute(
          `UPDATE \`${table}\` SET status = 'SENT', sent_at = CURRENT_TIMESTAMP(3), message_id = ? WHERE id = ?`,
          [result.messageId, row.id],
        );
        sent++;
        this.counts.sent++;
      } catch (err) {
        this.counts.failedSends++;
        const text = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
        await conn.execute(`UPDATE \`${table}\` SET attempts = attempts + 1, last_error = ? WHERE id = ?`, [
          text,
          row.id,
        ]);
        (this.options.logger ?? consoleLogger).warn(
          { table, id: row.id, eventId: row.event_id, err },
          'outbox send failed; will retry',
        );
        return sent === 0 ? -1 : sent;
      }
    }
    return sent;
  }

  private async run(): Promise<void> {
    const backoff = this.options.backoff ?? {
      kind: 'exponential',
      initialMs: 200,
      maxMs: 10_000,
      multiplier: 2,
    };
    while (this.running) {
      let pause = this.options.idleMs ?? 200;
      try {
        const sent = await this.relayOnce();
        if (sent < 0) pause = retryDelayMs(backoff, ++this.failures);
        else {
          this.failures = 0;
          if (sent > 0) pause = 0;
        }
      } catch (err) {
        // The database itself failed (down, deadlock): the rows are still there; try again later.
        pause = retryDelayMs(backoff, ++this.failures);
        (this.options.logger ?? consoleLogger).warn(
          { table: this.options.outbox.table, err },
          'outbox relay pass failed',
        );
      }
      if (pause > 0 && this.running) {
        await new Promise<void>((r) => {
          const timer = setTimeout(r, pause);
          this.wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        this.wake = undefined;
      }
    }
  }
}

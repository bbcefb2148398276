/**
 * The outbox against the real MariaDB and broker: an event exists exactly when its business
 * transaction committed, the relay publishes it with the writer's context and marks it sent,
 * events written while no relay ran (the service died after its commit) go out when one starts,
 * and a failed send keeps its row, and the rows after it, pending until it succeeds.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';
import { runWithContext } from '../core/index.js';
import type { ReceivedMessage } from './index.js';
import { groupName, messagingSuite, quietLogger, run, testDatabase, topic, until } from './it-support.js';
import { Outbox, EVENT_ID_PROPERTY } from './outbox.js';
import { OutboxRelay } from './outbox-relay.js';

const events = topic('outbox', 'NORMAL');
const group = { name: groupName('outbox') };
const table = `silk_outbox_it_${process.pid}`;
const outbox = new Outbox({ table });
const db = testDatabase(() => [table, `orders_${process.pid}`]);
const suite = messagingSuite({ topics: [events], groups: [group] });
let pool: Pool;
const received: ReceivedMessage[] = [];

beforeAll(async () => {
  pool = db.pool;
  await outbox.ensureTable(pool);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS orders_${process.pid} (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)`,
  );
  await suite.consumer({
    consumerGroup: group.name,
    subscriptions: [{ topic: events.name }],
    handler: (m) => {
      received.push(m);
      return Promise.resolve();
    },
  });
}, 60_000);

/** The business change and its event, in one local transaction. */
async function placeOrder(id: string, fail = false): Promise<string> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.execute(`INSERT INTO orders_${process.pid} (id, amount) VALUES (?, ?)`, [id, 10]);
    const { eventId } = await outbox.add(conn, {
      topic: events.name,
      body: JSON.stringify({ id }),
      tag: 'OrderPlaced',
      keys: [id],
    });
    if (fail) throw new Error('payment declined');
    await conn.commit();
    return eventId;
  } catch (err) {
    await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}

async function statusOf(eventId: string): Promise<string | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT status FROM \`${table}\` WHERE event_id = ?`, [
    eventId,
  ]);
  return rows[0]?.status as string | undefined;
}

describe('outbox (real MariaDB and broker)', () => {
  it("publishes an event only when its business transaction committed, with the writer's context", async () => {
    await expect(
      runWithContext({ xid: `xid-${run}` }, () => placeOrder(`o-rolled-${run}`, true)),
    ).rejects.toThrow('payment declined');
    const eventId = await runWithContext({ xid: `xid-${run}` }, () => placeOrder(`o-1-${run}`));
    const relay = await suite.started.add(
      new OutboxRelay({ pool, outbox, send: (m) => suite.sender.send(m), logger: quietLogger }),
    );
    await until(() => received.some((m) => m.properties[EVENT_ID_PROPERTY] === eventId), 30_000, 'the event');
    const m = received.find((r) => r.properties[EVENT_ID_PROPERTY] === eventId)!;
    expect(m.keys).toEqual(expect.arrayContaining([eventId, `o-1-${run}`]));
    expect(m.tag).toBe('OrderPlaced');
    expect(m.properties.TX_XID).toBe(`xid-${run}`);
    await until(() => relay.stats().sent >= 1, 5000, 'the row to be marked');
    expect(await statusOf(eventId)).toBe('SENT');
    expect(received.some((r) => r.body.toString().includes('o-rolled'))).toBe(false);
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
    expect(Number(rows[0]!.n)).toBe(1);
    await relay.stop();
  });

  it('sends what was committed while no relay ran once a relay starts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await placeOrder(`o-batch-${i}-${run}`));
    expect(await Promise.all(ids.map(statusOf))).toEqual(ids.map(() => 'PENDING'));
    const before = received.length;
    const relay = new OutboxRelay({
      pool,
      outbox,
      send: (m) => suite.sender.send(m),
      batchSize: 4,
      logger: quietLogger,
    });
    relay.start();
    await until(() => received.length - before >= 10, 30_000, 'ten events');
    await relay.stop();
    expect(await relay.pending()).toBe(0);
    expect(new Set(received.slice(before).map((m) => m.properties[EVENT_ID_PROPERTY]))).toEqual(new Set(ids));
  });

  it('keeps a row whose send failed, and the rows after it, pending until the send succeeds', async () => {
    const first = await placeOrder(`o-fail-1-${run}`);
    const second = await placeOrder(`o-fail-2-${run}`);
    let refuse = true;
    const relay = new OutboxRelay({
      pool,
      outbox,
      logger: quietLogger,
      send: (m) => (refuse ? Promise.reject(new Error('broker unavailable')) : suite.sender.send(m)),
    });
    expect(await relay.relayOnce()).toBe(-1);
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT status, attempts, last_error FROM \`${table}\` WHERE event_id IN (?, ?) ORDER BY id`,
      [first, second],
    );
    expect(rows.map((r): unknown[] => [r.status, r.attempts])).toEqual([
      ['PENDING', 1],
      ['PENDING', 0],
    ]);
    expect(rows[0]!.last_error).toContain('broker unavailable');
    refuse = false;
    expect(await relay.relayOnce()).toBe(2);
    expect([await statusOf(first), await statusOf(second)]).toEqual(['SENT', 'SENT']);
  });
});

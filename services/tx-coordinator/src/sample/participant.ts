/**
 * A participant of the sample as its own process: `ROLE=storage|account`. A Fastify app whose
 * handler updates its database through AT, joined to the caller's global transaction by the
 * TX_XID header. Prints `READY <port>` when it serves. Killed and restarted by fault tests.
 */
import Fastify from 'fastify';
import type { RowDataPacket } from 'mysql2/promise';
import { installTxXidHook, TxClient } from '@silk/platform-sdk/tx';
import { DBS, samplePool, sampleTables } from './schema.js';

const role = process.env.ROLE === 'account' ? 'account' : 'storage';
const t = sampleTables(process.env.SUFFIX ?? 'x');
const [tcHost, tcPort] = (process.env.TC_ADDR ?? '127.0.0.1:8091').split(':');

const client = new TxClient({ applicationId: `${role}-service`, tc: [{ host: tcHost!, port: Number(tcPort) }] });
const pool = samplePool(role === 'account' ? DBS.account : DBS.storage);
const ds = client.atDataSource(pool, { undoTable: t.undo, resourceId: `${role}-db-${t.suffix}` });

const app = Fastify();
installTxXidHook(app);

class Refused extends Error {}

app.post<{ Body: { code: string; count: number } }>('/deduct', async (req, reply) => {
  try {
    await ds.transaction(async (c) => {
      const [res] = await c.query<{ affectedRows: number }>(
        `UPDATE \`${t.stock}\` SET count = count - ? WHERE commodity_code = ? AND count >= ?`,
        [req.body.count, req.body.code, req.body.count],
      );
      if (res.affectedRows === 0) throw new Refused('insufficient stock');
    });
  } catch (err) {
    if (err instanceof Refused) return reply.code(409).send({ error: err.message });
    throw err;
  }
  return { ok: true };
});

app.post<{ Body: { userId: string; money: number } }>('/debit', async (req, reply) => {
  try {
    await ds.transaction(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(`SELECT money FROM \`${t.account}\` WHERE user_id = ? FOR UPDATE`, [req.body.userId]);
      if (!rows[0] || Number(rows[0].money) < req.body.money) throw new Refused('insufficient balance');
      await c.query(`UPDATE \`${t.account}\` SET money = money - ? WHERE user_id = ?`, [req.body.money, req.body.userId]);
    });
  } catch (err) {
    if (err instanceof Refused) return reply.code(409).send({ error: err.message });
    throw err;
  }
  return { ok: true };
});

await client.start();
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const addr = app.server.address();
console.log(`READY ${typeof addr === 'object' && addr ? addr.port : 0}`);
const stop = async () => {
  await app.close();
  client.stop();
  await pool.end();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());

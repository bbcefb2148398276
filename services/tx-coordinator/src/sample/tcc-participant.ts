/**
 * A TCC participant as its own process (for fault runs): an account whose `freeze` action
 * tries by moving money into `frozen`, confirms by spending it and cancels by giving it
 * back, fenced by tcc_fence_log. POST /freeze joins the caller's global transaction through
 * TX_XID. Prints `READY <port>`; killed and restarted by the tests.
 */
import Fastify from 'fastify';
import mysql, { type ResultSetHeader } from 'mysql2/promise';
import { installTxXidHook, TccFence, TccResourceManager, TxClient, type TccAction } from '@silk/platform-sdk/tx';

const suffix = process.env.SUFFIX ?? 'x';
const tccTables = (s: string) => ({ account: `tcc_account_${s}`, fence: `tcc_fence_${s}`, action: `freeze-${s}` });
const t = tccTables(suffix);
const [tcHost, tcPort] = (process.env.TC_ADDR ?? '127.0.0.1:8091').split(':');

const pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_account', connectionLimit: 4 });
const client = new TxClient({ applicationId: 'tcc-account-service', tc: [{ host: tcHost!, port: Number(tcPort) }] });
const rm = new TccResourceManager(client.tc, new TccFence(pool, t.fence));
client.addResourceManager(rm);

const freeze: TccAction<{ amount: number }> = {
  name: t.action,
  async try({ params }, c) {
    const [r] = await c.query<ResultSetHeader>(`UPDATE \`${t.account}\` SET balance = balance - ?, frozen = frozen + ? WHERE id = 1 AND balance >= ?`, [
      params.amount,
      params.amount,
      params.amount,
    ]);
    if (r.affectedRows === 0) throw new Error('insufficient balance');
  },
  async confirm({ params }, c) {
    await c.query(`UPDATE \`${t.account}\` SET frozen = frozen - ?, spent = spent + ? WHERE id = 1`, [params.amount, params.amount]);
  },
  async cancel({ params }, c) {
    await c.query(`UPDATE \`${t.account}\` SET frozen = frozen - ?, balance = balance + ? WHERE id = 1`, [params.amount, params.amount]);
  },
};
rm.register(freeze);

const app = Fastify();
installTxXidHook(app);
app.post<{ Body: { amount: number } }>('/freeze', async (req) => {
  await rm.invoke(freeze.name, { amount: req.body.amount });
  return { ok: true };
});

await client.start();
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
console.log(`READY ${typeof addr === 'object' && addr ? addr.port : 0}`);
process.once('SIGTERM', () => {
  void app.close().then(async () => {
    client.stop();
    await pool.end();
    process.exit(0);
  });
});

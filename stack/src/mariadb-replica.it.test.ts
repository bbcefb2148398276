import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { host, mariadb, mariadbReplica } from './config.js';

let primary: mysql.Connection;
let replica: mysql.Connection;
const table = `silk_test.replica_probe_${process.pid}`;

const connect = (port: number, what: string) =>
  mysql.createConnection({ host, port, user: mariadb.user, password: mariadb.password }).catch((err: unknown) => {
    throw new Error(`${what} not reachable on ${host}:${port} — run \`pnpm stack up\` (${String(err)})`, { cause: err });
  });

beforeAll(async () => {
  primary = await connect(mariadb.port, 'MariaDB');
  replica = await connect(mariadbReplica.port, 'MariaDB replica');
});

afterAll(async () => {
  await primary?.query(`DROP TABLE IF EXISTS ${table}`);
  await Promise.all([primary?.end(), replica?.end()]);
});

describe('MariaDB replica started by the stack', () => {
  it('replicates from the stack MariaDB with both threads running, by GTID', async () => {
    const [rows] = await replica.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
    const s = rows[0];
    expect(s?.Master_Port).toBe(mariadb.port);
    expect(s?.Slave_IO_Running).toBe('Yes');
    expect(s?.Slave_SQL_Running).toBe('Yes');
    expect(s?.Using_Gtid).toBe('Slave_Pos');
    const [ids] = await replica.query<mysql.RowDataPacket[]>('SELECT @@server_id AS id');
    expect(ids[0]?.id).toBe(mariadbReplica.serverId);
  });

  it('has every database it replicates', async () => {
    const [rows] = await replica.query<mysql.RowDataPacket[]>('SHOW DATABASES');
    const names = rows.map((r) => String(r.Database));
    for (const db of mariadbReplica.databases) expect(names).toContain(db);
  });

  it('applies a write made on the primary within seconds', async () => {
    await primary.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v VARCHAR(20))`);
    await primary.query(`INSERT INTO ${table} VALUES (1, ?)`, ['replicated']);
    const deadline = Date.now() + 10_000;
    let seen: unknown;
    while (Date.now() < deadline) {
      const [rows] = await replica.query<mysql.RowDataPacket[]>(`SELECT v FROM ${table} WHERE id = 1`).catch(() => [[]]);
      seen = (rows as mysql.RowDataPacket[])[0]?.v;
      if (seen !== undefined) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe('replicated');
  });
});

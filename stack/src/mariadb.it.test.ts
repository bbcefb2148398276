import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { host, mariadb } from './config.js';

let conn: mysql.Connection;

beforeAll(async () => {
  conn = await mysql
    .createConnection({ host, port: mariadb.port, user: mariadb.user, password: mariadb.password })
    .catch((err: unknown) => {
      throw new Error(
        `MariaDB not reachable on ${host}:${mariadb.port} as '${mariadb.user}' — run \`pnpm stack up\` (${String(err)})`,
      );
    });
});

afterAll(async () => {
  await conn?.end();
});

describe('MariaDB started by the stack', () => {
  it('is a real MariaDB speaking the MySQL protocol', async () => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    expect(String(rows[0]?.v)).toMatch(/MariaDB/);
  });

  it('has every database the services need', async () => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW DATABASES');
    const names = rows.map((r) => String(r.Database));
    for (const db of mariadb.databases) expect(names).toContain(db);
  });

  it('commits and rolls back InnoDB transactions', async () => {
    await conn.query('CREATE TABLE IF NOT EXISTS silk_test.stack_probe (id INT PRIMARY KEY, v VARCHAR(20))');
    await conn.query('DELETE FROM silk_test.stack_probe');
    await conn.beginTransaction();
    await conn.query('INSERT INTO silk_test.stack_probe VALUES (1, ?)', ['kept']);
    await conn.commit();
    await conn.beginTransaction();
    await conn.query('INSERT INTO silk_test.stack_probe VALUES (2, ?)', ['dropped']);
    await conn.rollback();
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT id, v FROM silk_test.stack_probe ORDER BY id',
    );
    expect(rows.map((r) => ({ ...r }))).toEqual([{ id: 1, v: 'kept' }]);
  });

  it('refuses a wrong password with an access-denied error', async () => {
    await expect(
      mysql.createConnection({ host, port: mariadb.port, user: mariadb.user, password: 'wrong' }),
    ).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });
});

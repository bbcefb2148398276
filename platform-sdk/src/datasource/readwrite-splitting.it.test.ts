import { mariadbReplica } from '@silk/stack/config';
import { allServers } from '@silk/stack/servers';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertReachable, stackPool } from './it-support.js';
import { withPrimary, withReadYourWrites } from './read-hint.js';
import { ReadwriteSplittingResource } from './readwrite-splitting.js';
import { ShardingDataSource } from './sharding-data-source.js';
import { parseShardingRuleYaml } from './sharding-rule.js';

const T = `rw_${process.pid}`;
const replicaServer = allServers.find((s) => s.name === 'mariadb-replica');
let primary: mysql.Pool;
let rw: ReadwriteSplittingResource;
let ds: ShardingDataSource;
const changes: string[] = [];

const serverId = async (intent: 'read' | 'write' = 'read') =>
  ((await rw.query('SELECT @@server_id AS id', [], intent))[0] as { id: number }[])[0]?.id;

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!replicaServer) throw new Error('the stack has no mariadb-replica server');
  primary = stackPool('silk_test');
  const replica = stackPool('silk_test', mariadbReplica.port);
  await assertReachable(primary, 'MariaDB');
  await assertReachable(replica, 'MariaDB replica');
  rw = new ReadwriteSplittingResource({
    name: 'ds',
    primary,
    replicas: [{ name: 'replica_0', pool: replica }],
    maxLagSeconds: 5,
    healthCheckIntervalMs: 300,
    onReplicaChange: (name, usable, reason) => changes.push(`${name} ${usable ? 'in' : 'out'}: ${reason}`),
  });
  await rw.start();
  ds = new ShardingDataSource({ rule: parseShardingRuleYaml('rules:\n- !SHARDING\n  tables: {}\n'), dataSources: [rw] });
  await primary.query(`CREATE TABLE ${T} (id INT PRIMARY KEY, v VARCHAR(32))`);
  await until(async () => ((await rw.query(`SHOW TABLES LIKE '${T}'`, [], 'read'))[0] as unknown[]).length === 1, 'the table on the replica');
});

afterAll(async () => {
  // Whatever happened, the replica is left running.
  if (replicaServer && !(await replicaServer.status()).healthy) await replicaServer.start();
  await primary?.query(`DROP TABLE IF EXISTS ${T}`);
  await rw?.close();
}, 120_000);

describe('read/write splitting over a real MariaDB replica', () => {
  it('sends reads to the replica and writes to the primary', async () => {
    expect(rw.health()[0]).toMatchObject({ usable: true });
    expect(await serverId()).toBe(mariadbReplica.serverId);
    expect(await serverId('write')).toBe(1);
    expect(await withPrimary(() => serverId())).toBe(1);
  });

  it('a write then a read in one request sees the write', async () => {
    for (let i = 0; i < 20; i++) {
      const [seen, readFrom] = await withReadYourWrites(async () => {
        expect(await serverId()).toBe(mariadbReplica.serverId);
        await ds.query(`INSERT INTO ${T} (id, v) VALUES (?, ?)`, [i, `v${i}`]);
        const [rows] = await ds.query<{ v: string }[]>(`SELECT v FROM ${T} WHERE id = ?`, [i]);
        return [rows[0]?.v, await serverId()] as const;
      });
      expect(seen).toBe(`v${i}`);
      expect(readFrom).toBe(1);
    }
    // A request that has not written still reads from the replica.
    expect(await withReadYourWrites(() => serverId())).toBe(mariadbReplica.serverId);
  });

  it('transactions run on the primary', async () => {
    const id = await ds.transaction(async (tx) => {
      const [rows] = await tx.query<{ id: number }[]>('SELECT @@server_id AS id');
      return rows[0]?.id;
    });
    expect(id).toBe(1);
  });

  it('the replica stopped: reads move to the primary with no error; back when it returns', async () => {
    const server = replicaServer as NonNullable<typeof replicaServer>;
    await server.stop();
    try {
      // Reads keep answering from the first moment: a failed replica read is retried on the primary.
      for (let i = 0; i < 20; i++) {
        const [rows] = await ds.query<{ v: string }[]>(`SELECT v FROM ${T} WHERE id = ?`, [3]);
        expect(rows[0]?.v).toBe('v3');
      }
      expect(await serverId()).toBe(1);
      expect(rw.health()[0]?.usable).toBe(false);
    } finally {
      await server.start();
    }
    await until(() => rw.health()[0]?.usable === true, 'the replica to be admitted again');
    expect(await serverId()).toBe(mariadbReplica.serverId);
    expect(changes.some((c) => c.startsWith('replica_0 out'))).toBe(true);
    expect(changes.at(-1)).toMatch(/^replica_0 in/);
  }, 120_000);

  it('skips a replica whose replication stopped', async () => {
    const replicaRoot = stackPool('silk_test', mariadbReplica.port, 1);
    try {
      await replicaRoot.query('STOP SLAVE SQL_THREAD');
      await until(() => rw.health()[0]?.usable === false, 'the stopped replica to be skipped');
      expect(rw.health()[0]?.reason).toMatch(/sql No/);
      expect(await serverId()).toBe(1);
    } finally {
      await replicaRoot.query('START SLAVE SQL_THREAD');
      await replicaRoot.end();
    }
    await until(() => rw.health()[0]?.usable === true, 'the replica to be admitted again');
  });
});

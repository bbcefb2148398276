/**
 * The TC registers in Nacos, and a client finds it there by name (nacosTcResolver over
 * NacosDiscovery) and runs a global transaction through it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { currentXid } from '@silk/platform-sdk/core';
import { NacosDiscovery, type NacosConnection } from '@silk/platform-sdk/nacos';
import { nacosTcResolver, TxClient } from '@silk/platform-sdk/tx';
import { nacos } from '@silk/stack/config';
import { spawnTs, TC_MAIN, type Child } from './sample/processes.js';
import { dropTables, tableNames } from './schema.js';

const sfx = `nacos${process.pid}`;
const service = `tx-coordinator-it-${process.pid}`;
const connection: NacosConnection = { serverAddr: `127.0.0.1:${nacos.port}`, username: nacos.username, password: nacos.password };
const stops: (() => unknown)[] = [];

afterAll(async () => {
  for (const s of stops.reverse()) await s();
  const pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'silk', password: 'silk', database: 'silk_tx', connectionLimit: 1 });
  await dropTables(pool, tableNames(`_${sfx}`));
  await pool.end();
});

describe('the TC in Nacos', () => {
  it('registers as a service that clients discover and use', async () => {
    const tc: Child = await spawnTs(
      TC_MAIN,
      {
        TC_PORT: '0',
        TC_ADMIN_PORT: '0',
        TC_TABLE_SUFFIX: `_${sfx}`,
        TC_SERVICE_NAME: service,
        NACOS_SERVER_ADDR: connection.serverAddr,
        NACOS_USERNAME: nacos.username,
        NACOS_PASSWORD: nacos.password,
      },
      /TC READY (\d+) (\d+)/,
      60_000,
    );
    stops.push(() => tc.kill('SIGTERM'));
    const discovery = new NacosDiscovery({ connection, snapshotDir: mkdtempSync(join(tmpdir(), 'silk-tx-nacos-')) });
    stops.push(() => discovery.stop());
    await expect.poll(async () => (await discovery.getInstances(service)).map((i) => i.port), { timeout: 20_000 }).toEqual([Number(tc.ready[0])]);
    const [instance] = await discovery.getInstances(service);
    expect(instance!.metadata['admin.port']).toBe(tc.ready[1]);

    const client = new TxClient({ applicationId: 'nacos-it', tc: nacosTcResolver(discovery, service) });
    stops.push(() => client.stop());
    await client.start();
    const xid = await client.globalTransaction(() => Promise.resolve(currentXid()), { name: 'via-nacos' });
    expect(xid).toMatch(new RegExp(`^127\\.0\\.0\\.1:${tc.ready[0]}:\\d+$`));
  });
});

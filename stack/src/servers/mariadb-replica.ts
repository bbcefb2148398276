/**
 * A MariaDB replica of the stack's MariaDB, for read/write splitting: its own data directory
 * under `.stack/mariadb-replica`, loopback only, seeded from a consistent `mariadb-dump` of
 * the primary (`--single-transaction --gtid --master-data`, which records the GTID position)
 * and then replicating from it with `MASTER_USE_GTID=slave_pos`. Only the stack's databases
 * replicate (`replicate-wild-do-table`), so throwaway schemas tests create on the primary
 * cannot break the replica. Replication runs as the stack's application user.
 *
 * `start` is idempotent: a running replica whose replication threads run is left alone; one
 * whose replication broke (say the primary's data directory was recreated) is re-seeded.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { host, mariadb, mariadbReplica } from '../config.js';
import { assertPortsFree, livePid, stopPid, waitFor, which } from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';
import {
  appConnection,
  appLoginVersion,
  appUserSql,
  clientBinary,
  initDataDir,
  mariadbFiles,
  rootSql as rootSqlOver,
  spawnMariadbd,
  waitListening,
} from './mariadb-process.js';

const NAME = 'mariadb-replica';
const files = mariadbFiles(NAME);
const { dir, dataDir, socket, pidFile, logFile } = files;
/** Written once a dump has been loaded and replication configured. */
const seededMarker = join(dir, 'seeded');

interface ReplicationState {
  io: string;
  sql: string;
  lagSeconds: number | null;
  lastError: string;
}

const client = (): Promise<string> => clientBinary(NAME);

/** Runs SQL on the replica as root over its unix socket. */
const rootSql = (sql: string): Promise<string> => rootSqlOver(NAME, socket, sql);

async function replicationState(): Promise<ReplicationState | undefined> {
  const conn = await appConnection(mariadbReplica.port);
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
    const r = rows[0];
    if (!r) return undefined;
    const lag = r.Seconds_Behind_Master as number | null;
    return {
      io: String(r.Slave_IO_Running),
      sql: String(r.Slave_SQL_Running),
      lagSeconds: lag,
      lastError: String(r.Last_IO_Error || r.Last_SQL_Error || ''),
    };
  } finally {
    await conn.end();
  }
}

const running = (s: ReplicationState | undefined): boolean => s?.io === 'Yes' && s.sql === 'Yes';

/** Loads a consistent dump of the primary and starts replicating from the dump's GTID position. */
async function seed(): Promise<void> {
  const dump = (await which('mariadb-dump')) ?? (await which('mysqldump'));
  if (!dump) throw new StackError(NAME, 'mariadb-dump not found: install mariadb-client');
  rmSync(seededMarker, { force: true });
  const dbs = mariadbReplica.databases;
  // A fresh server has no replication configured: STOP/RESET may then refuse, harmlessly.
  await rootSql('STOP SLAVE; RESET SLAVE ALL').catch(() => undefined);
  await rootSql(dbs.map((d) => `DROP DATABASE IF EXISTS \`${d}\`;`).join(' '));
  await pipe(
    dump,
    ['--no-defaults', `-h${host}`, `-P${mariadb.port}`, `-u${mariadb.user}`, `-p${mariadb.password}`, '--single-transaction', '--gtid', '--master-data=1', '--routines', '--databases', ...dbs],
    await client(),
    ['--no-defaults', '-uroot', `--socket=${socket}`],
  );
  await rootSql(
    `CHANGE MASTER TO MASTER_HOST='${host}', MASTER_PORT=${mariadb.port}, MASTER_USER='${mariadb.user}', ` +
      `MASTER_PASSWORD='${mariadb.password}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;`,
  );
  writeFileSync(seededMarker, new Date().toISOString());
}

/** `from args | to args`, failing with both programs' stderr. */
function pipe(from: string, fromArgs: string[], to: string, toArgs: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const a = spawn(from, fromArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const b = spawn(to, toArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    a.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    b.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    a.stdout.pipe(b.stdin);
    let pending = 2;
    let failed = false;
    const done = (code: number | null, what: string) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new StackError(NAME, `seeding from the primary failed (${what} exited ${code}): ${errors.trim()}`, logFile));
      }
      if (--pending === 0 && !failed) resolve();
    };
    a.on('close', (code) => done(code, from));
    b.on('close', (code) => done(code, to));
  });
}

export const mariadbReplicaServer: StackServer = {
  name: NAME,
  ports: { sql: mariadbReplica.port },

  async install() {
    // The primary's install brings mariadb-server and mariadb-client, which hold everything used here.
  },

  async start() {
    if (livePid(pidFile) === undefined) {
      await assertPortsFree(NAME, this.ports);
      // A new data directory holds no copy of the primary yet, whatever the marker says.
      if (await initDataDir(NAME, dataDir)) rmSync(seededMarker, { force: true });
      await spawnMariadbd(NAME, files, mariadbReplica.port, [
        `--server-id=${mariadbReplica.serverId}`,
        ...mariadbReplica.databases.map((d) => `--replicate-wild-do-table=${d}.%`),
        '--innodb-buffer-pool-size=64M',
        '--max-connections=200',
      ]);
    }
    const pid = livePid(pidFile);
    await waitListening(NAME, files, mariadbReplica.port, pid);
    await rootSql(appUserSql(false));
    const state = await replicationState().catch(() => undefined);
    if (!existsSync(seededMarker) || !state) await seed();
    else if (!running(state)) {
      // Stopped threads are restarted; broken replication (a recreated primary) is re-seeded.
      await rootSql('START SLAVE');
      await new Promise((r) => setTimeout(r, 2000));
      if (!running(await replicationState().catch(() => undefined))) await seed();
    }
    await waitFor(async () => running(await replicationState().catch(() => undefined)), {
      server: NAME,
      what: 'replication from the primary to run',
      timeoutMs: 60_000,
      logFile,
      pid,
    });
  },

  async stop() {
    await stopPid(pidFile, 30_000);
  },

  async status(): Promise<ServerStatus> {
    const pid = livePid(pidFile);
    const base = { ports: this.ports, ownedByStack: pid !== undefined };
    try {
      const state = await replicationState();
      const version = await appLoginVersion(mariadbReplica.port);
      const ok = running(state);
      return {
        ...base,
        healthy: ok,
        version,
        detail: ok
          ? `pid ${pid ?? '?'}, replicating ${host}:${mariadb.port}, ${state?.lagSeconds ?? '?'} s behind`
          : `replication not running (io ${state?.io ?? '-'}, sql ${state?.sql ?? '-'}) ${state?.lastError ?? ''}`.trim(),
      };
    } catch (err) {
      return { ...base, healthy: false, version: 'unknown', detail: `not reachable: ${(err as Error).message}` };
    }
  },

  logFiles: () => [logFile],
};

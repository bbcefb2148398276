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
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { host, mariadb, mariadbReplica, stateDir } from '../config.js';
import { assertPortsFree, execFileAsync, livePid, portOpen, spawnDetached, stopPid, waitFor, which } from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';

const NAME = 'mariadb-replica';
const dir = join(stateDir, NAME);
const dataDir = join(dir, 'data');
const socket = join(dir, 'mysqld.sock');
const pidFile = join(dir, 'server.pid');
const logFile = join(dir, 'mariadb.log');
/** Written once a dump has been loaded and replication configured. */
const seededMarker = join(dir, 'seeded');

interface ReplicationState {
  io: string;
  sql: string;
  lagSeconds: number | null;
  lastError: string;
}

async function client(): Promise<string> {
  const c = (await which('mariadb')) ?? (await which('mysql'));
  if (!c) throw new StackError(NAME, 'no mariadb/mysql client found: install mariadb-client');
  return c;
}

/** Runs SQL on the replica as root over its unix socket. */
async function rootSql(sql: string): Promise<string> {
  const { stdout } = await execFileAsync(await client(), ['--no-defaults', '-uroot', `--socket=${socket}`, '-N', '-e', sql]);
  return stdout;
}

async function replicationState(): Promise<ReplicationState | undefined> {
  const conn = await mysql.createConnection({
    host,
    port: mariadbReplica.port,
    user: mariadb.user,
    password: mariadb.password,
    connectTimeout: 2000,
  });
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

async function initDataDir(): Promise<void> {
  if (existsSync(join(dataDir, 'mysql'))) return;
  mkdirSync(dataDir, { recursive: true });
  rmSync(seededMarker, { force: true });
  const installDb = (await which('mariadb-install-db')) ?? (await which('mysql_install_db'));
  if (!installDb) throw new StackError(NAME, 'mariadb-install-db not found: install mariadb-server');
  await execFileAsync(installDb, [
    '--no-defaults',
    '--user=root',
    `--datadir=${dataDir}`,
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
  ]);
}

function provisionSql(): string {
  const u = mariadb.user;
  const p = mariadb.password;
  return `CREATE USER IF NOT EXISTS '${u}'@'%' IDENTIFIED BY '${p}';
CREATE USER IF NOT EXISTS '${u}'@'localhost' IDENTIFIED BY '${p}';
GRANT ALL PRIVILEGES ON *.* TO '${u}'@'%';
GRANT ALL PRIVILEGES ON *.* TO '${u}'@'localhost';
FLUSH PRIVILEGES;`;
}

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
      await initDataDir();
      const bin = (await which('mariadbd')) ?? (await which('mysqld'));
      if (!bin) throw new StackError(NAME, 'mariadbd not found: run `pnpm stack up` to install it');
      spawnDetached({
        server: NAME,
        command: bin,
        args: [
          '--no-defaults',
          '--user=root',
          `--datadir=${dataDir}`,
          `--socket=${socket}`,
          `--port=${mariadbReplica.port}`,
          `--bind-address=${host}`,
          '--skip-name-resolve',
          `--server-id=${mariadbReplica.serverId}`,
          ...mariadbReplica.databases.map((d) => `--replicate-wild-do-table=${d}.%`),
          '--innodb-buffer-pool-size=64M',
          '--max-connections=200',
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_general_ci',
        ],
        logFile,
        pidFile,
      });
    }
    const pid = livePid(pidFile);
    await waitFor(async () => existsSync(socket) && portOpen(mariadbReplica.port), {
      server: NAME,
      what: `the replica to listen on ${mariadbReplica.port}`,
      timeoutMs: 60_000,
      logFile,
      pid,
    });
    await rootSql(provisionSql());
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
      const conn = await mysql.createConnection({ host, port: mariadbReplica.port, user: mariadb.user, password: mariadb.password });
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v').finally(() => conn.end());
      const ok = running(state);
      return {
        ...base,
        healthy: ok,
        version: String(rows[0]?.v ?? 'unknown'),
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

/**
 * MariaDB from Debian's `mariadb-server`, run by hand on loopback with its own data directory
 * under `.stack/mariadb`. When a MySQL/MariaDB already listens on the port we use it instead
 * (provisioning our user and databases through root's unix socket) and never stop it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { host, mariadb, stateDir } from '../config.js';
import {
  aptInstall,
  assertPortsFree,
  execFileAsync,
  livePid,
  portOpen,
  spawnDetached,
  stopPid,
  waitFor,
  which,
} from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';

const NAME = 'mariadb';
const dir = join(stateDir, NAME);
const dataDir = join(dir, 'data');
const socket = join(dir, 'mysqld.sock');
const pidFile = join(dir, 'server.pid');
const logFile = join(dir, 'mariadb.log');
/** Debian's packaged server listens here when it was started by its init scripts. */
const systemSocket = '/run/mysqld/mysqld.sock';

async function serverBinary(): Promise<string | undefined> {
  return (await which('mariadbd')) ?? (await which('mysqld')) ?? undefined;
}

/** Version string when our application user can log in, else undefined. */
async function appLoginVersion(): Promise<string | undefined> {
  const conn = await mysql.createConnection({
    host,
    port: mariadb.port,
    user: mariadb.user,
    password: mariadb.password,
    connectTimeout: 2000,
  });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0]?.v);
  } finally {
    await conn.end();
  }
}

function provisionSql(): string {
  const dbs = mariadb.databases.map((d) => `CREATE DATABASE IF NOT EXISTS \`${d}\`;`).join('\n');
  // The dev user may create databases of its own (tests make throwaway schemas and shards).
  return `${dbs}
CREATE USER IF NOT EXISTS '${mariadb.user}'@'%' IDENTIFIED BY '${mariadb.password}';
CREATE USER IF NOT EXISTS '${mariadb.user}'@'localhost' IDENTIFIED BY '${mariadb.password}';
GRANT ALL PRIVILEGES ON *.* TO '${mariadb.user}'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '${mariadb.user}'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;`;
}

async function provision(viaSocket: string): Promise<void> {
  const client = (await which('mariadb')) ?? (await which('mysql'));
  if (!client) throw new StackError(NAME, 'no mariadb/mysql client found: install mariadb-client');
  try {
    await execFileAsync(client, ['--no-defaults', '-uroot', `--socket=${viaSocket}`, '-e', provisionSql()]);
  } catch (err) {
    throw new StackError(
      NAME,
      `could not create the '${mariadb.user}' user and databases as root over ${viaSocket}: ${(err as Error).message}`,
      logFile,
    );
  }
}

async function initDataDir(): Promise<void> {
  if (existsSync(join(dataDir, 'mysql'))) return;
  mkdirSync(dataDir, { recursive: true });
  const installDb = (await which('mariadb-install-db')) ?? (await which('mysql_install_db'));
  if (!installDb) throw new StackError(NAME, 'mariadb-install-db not found: install mariadb-server');
  try {
    await execFileAsync(installDb, [
      '--no-defaults',
      '--user=root',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ]);
  } catch (err) {
    throw new StackError(NAME, `mariadb-install-db failed: ${(err as Error).message}`);
  }
}

export const mariadbServer: StackServer = {
  name: NAME,
  ports: { sql: mariadb.port },

  async install() {
    if (!(await serverBinary()) || !((await which('mariadb')) ?? (await which('mysql')))) {
      await aptInstall(NAME, ['mariadb-server', 'mariadb-client']);
    }
    if (!(await serverBinary()))
      throw new StackError(NAME, 'mariadb-server installed but mariadbd not found');
  },

  async start() {
    const ours = livePid(pidFile);
    if (ours === undefined && (await portOpen(mariadb.port))) {
      // Someone else's server: use it as is, if we can provision it.
      if (!(await appLoginVersion().catch(() => undefined))) {
        if (!existsSync(systemSocket)) {
          throw new StackError(
            NAME,
            `port ${mariadb.port} is served by a database where user '${mariadb.user}' cannot log in, and no root socket at ${systemSocket} to provision it`,
          );
        }
      }
      if (existsSync(systemSocket)) await provision(systemSocket);
      return;
    }
    if (ours === undefined) {
      await assertPortsFree(NAME, this.ports);
      await initDataDir();
      const bin = await serverBinary();
      if (!bin) throw new StackError(NAME, 'mariadbd not found: run `pnpm stack up` to install it');
      spawnDetached({
        server: NAME,
        command: bin,
        args: [
          '--no-defaults',
          '--user=root',
          `--datadir=${dataDir}`,
          `--socket=${socket}`,
          `--port=${mariadb.port}`,
          `--bind-address=${host}`,
          '--skip-name-resolve',
          // Row-based binlog: replicas (read/write splitting) and AT undo images both want it.
          '--server-id=1',
          `--log-bin=${join(dataDir, 'binlog')}`,
          '--binlog-format=ROW',
          '--innodb-buffer-pool-size=128M',
          '--max-connections=500',
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_general_ci',
        ],
        logFile,
        pidFile,
      });
    }
    const pid = livePid(pidFile);
    await waitFor(async () => existsSync(socket) && portOpen(mariadb.port), {
      server: NAME,
      what: `mariadbd to listen on ${mariadb.port}`,
      timeoutMs: 60_000,
      logFile,
      pid,
    });
    await provision(socket);
    await waitFor(async () => (await appLoginVersion()) !== undefined, {
      server: NAME,
      what: `user '${mariadb.user}' to log in`,
      timeoutMs: 15_000,
      logFile,
      pid,
    });
  },

  async stop() {
    await stopPid(pidFile, 30_000);
  },

  async status(): Promise<ServerStatus> {
    const pid = livePid(pidFile);
    try {
      const version = await appLoginVersion();
      return {
        healthy: true,
        version: version ?? 'unknown',
        ports: this.ports,
        ownedByStack: pid !== undefined,
        detail:
          pid !== undefined ? `pid ${pid}, data ${dataDir}` : 'external server (not started by the stack)',
      };
    } catch (err) {
      return {
        healthy: false,
        version: 'unknown',
        ports: this.ports,
        ownedByStack: pid !== undefined,
        detail: `cannot log in as '${mariadb.user}': ${(err as Error).message}`,
      };
    }
  },

  logFiles: () => [logFile],
};

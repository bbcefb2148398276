/**
 * MariaDB from Debian's `mariadb-server`, run by hand on loopback with its own data directory
 * under `.stack/mariadb`. When a MySQL/MariaDB already listens on the port we use it instead
 * (provisioning our user and databases through root's unix socket) and never stop it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mariadb } from '../config.js';
import { aptInstall, assertPortsFree, livePid, portOpen, stopPid, waitFor, which } from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';
import {
  appLoginVersion,
  appUserSql,
  initDataDir,
  mariadbFiles,
  rootSql,
  serverBinary,
  spawnMariadbd,
  waitListening,
} from './mariadb-process.js';

const NAME = 'mariadb';
const files = mariadbFiles(NAME);
const { dataDir, socket, pidFile, logFile } = files;
/** Debian's packaged server listens here when it was started by its init scripts. */
const systemSocket = '/run/mysqld/mysqld.sock';

async function provision(viaSocket: string): Promise<void> {
  const dbs = mariadb.databases.map((d) => `CREATE DATABASE IF NOT EXISTS \`${d}\`;`).join('\n');
  try {
    await rootSql(NAME, viaSocket, `${dbs}\n${appUserSql(true)}`);
  } catch (err) {
    throw new StackError(
      NAME,
      `could not create the '${mariadb.user}' user and databases as root over ${viaSocket}: ${(err as Error).message}`,
      logFile,
    );
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
      if (!(await appLoginVersion(mariadb.port).catch(() => undefined))) {
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
      await initDataDir(NAME, dataDir);
      await spawnMariadbd(NAME, files, mariadb.port, [
        // Row-based binlog: replicas (read/write splitting) and AT undo images both want it.
        '--server-id=1',
        `--log-bin=${join(dataDir, 'binlog')}`,
        '--binlog-format=ROW',
        '--innodb-buffer-pool-size=128M',
        '--max-connections=500',
      ]);
    }
    const pid = livePid(pidFile);
    await waitListening(NAME, files, mariadb.port, pid);
    await provision(socket);
    await waitFor(async () => (await appLoginVersion(mariadb.port)) !== undefined, {
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
      const version = await appLoginVersion(mariadb.port);
      return {
        healthy: true,
        version,
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

/**
 * What the stack's two MariaDB servers (the primary in mariadb.ts, the replica in
 * mariadb-replica.ts) do alike: a data directory of their own under `.stack/<name>`, the
 * packaged binaries found on PATH, `mariadbd` started detached on loopback with the same base
 * options, root over the server's unix socket, and the stack's application user.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { host, mariadb, stateDir } from '../config.js';
import { execFileAsync, portOpen, spawnDetached, waitFor, which } from '../process.js';
import { StackError } from '../server.js';

export interface MariadbFiles {
  dir: string;
  dataDir: string;
  socket: string;
  pidFile: string;
  logFile: string;
}

export function mariadbFiles(name: string): MariadbFiles {
  const dir = join(stateDir, name);
  const dataDir = join(dir, 'data');
  return {
    dir,
    dataDir,
    socket: join(dir, 'mysqld.sock'),
    pidFile: join(dir, 'server.pid'),
    logFile: join(dir, 'mariadb.log'),
  };
}

export async function serverBinary(): Promise<string | undefined> {
  return (await which('mariadbd')) ?? (await which('mysqld')) ?? undefined;
}

export async function clientBinary(server: string): Promise<string> {
  const c = (await which('mariadb')) ?? (await which('mysql'));
  if (!c) throw new StackError(server, 'no mariadb/mysql client found: install mariadb-client');
  return c;
}

/** Runs SQL as root over a server's unix socket (root logs in by socket only). */
export async function rootSql(server: string, socket: string, sql: string): Promise<string> {
  const client = await clientBinary(server);
  const { stdout } = await execFileAsync(client, ['--no-defaults', '-uroot', `--socket=${socket}`, '-N', '-e', sql]);
  return stdout;
}

/** Creates the system tables once; returns whether it did (a new, empty server). */
export async function initDataDir(server: string, dataDir: string): Promise<boolean> {
  if (existsSync(join(dataDir, 'mysql'))) return false;
  mkdirSync(dataDir, { recursive: true });
  const installDb = (await which('mariadb-install-db')) ?? (await which('mysql_install_db'));
  if (!installDb) throw new StackError(server, 'mariadb-install-db not found: install mariadb-server');
  try {
    await execFileAsync(installDb, [
      '--no-defaults',
      '--user=root',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ]);
  } catch (err) {
    throw new StackError(server, `mariadb-install-db failed: ${(err as Error).message}`);
  }
  return true;
}

/**
 * The application user, from anywhere and from the socket, with every privilege (tests create
 * throwaway schemas and shards); `grantOption` lets it grant them on.
 */
export function appUserSql(grantOption: boolean): string {
  const { user, password } = mariadb;
  const withGrant = grantOption ? ' WITH GRANT OPTION' : '';
  return `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}';
CREATE USER IF NOT EXISTS '${user}'@'localhost' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON *.* TO '${user}'@'%'${withGrant};
GRANT ALL PRIVILEGES ON *.* TO '${user}'@'localhost'${withGrant};
FLUSH PRIVILEGES;`;
}

/** Starts `mariadbd` detached on loopback; `options` are what this server adds to the base. */
export async function spawnMariadbd(
  server: string,
  files: MariadbFiles,
  port: number,
  options: string[],
): Promise<void> {
  const bin = await serverBinary();
  if (!bin) throw new StackError(server, 'mariadbd not found: run `pnpm stack up` to install it');
  spawnDetached({
    server,
    command: bin,
    args: [
      '--no-defaults',
      '--user=root',
      `--datadir=${files.dataDir}`,
      `--socket=${files.socket}`,
      `--port=${port}`,
      `--bind-address=${host}`,
      '--skip-name-resolve',
      ...options,
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
    ],
    logFile: files.logFile,
    pidFile: files.pidFile,
  });
}

/** Waits until the server has made its socket and listens on `port`. */
export async function waitListening(
  server: string,
  files: MariadbFiles,
  port: number,
  pid: number | undefined,
): Promise<void> {
  await waitFor(async () => existsSync(files.socket) && portOpen(port), {
    server,
    what: `mariadbd to listen on ${port}`,
    timeoutMs: 60_000,
    logFile: files.logFile,
    pid,
  });
}

/** A connection as the application user to the server on `port`. */
export function appConnection(port: number): Promise<mysql.Connection> {
  return mysql.createConnection({
    host,
    port,
    user: mariadb.user,
    password: mariadb.password,
    connectTimeout: 2000,
  });
}

/** The server's version, logged in as the application user. */
export async function appLoginVersion(port: number): Promise<string> {
  const conn = await appConnection(port);
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0]?.v ?? 'unknown');
  } finally {
    await conn.end();
  }
}

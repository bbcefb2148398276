/**
 * Redis from Debian's `redis-server`, on loopback with its own working directory under
 * `.stack/redis`. Persistence is off: the local cluster's Redis holds caches, locks and
 * leases, all of which tests create for themselves.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { host, redis, stateDir } from '../config.js';
import { aptInstall, assertPortsFree, livePid, spawnDetached, stopPid, waitFor, which } from '../process.js';
import { StackError, type ServerStatus, type StackServer } from '../server.js';

const NAME = 'redis';
const dir = join(stateDir, NAME);
const pidFile = join(dir, 'server.pid');
const logFile = join(dir, 'redis.log');

/** The server's version from INFO, when it answers PING. */
async function probe(): Promise<string> {
  const client = new Redis({
    host,
    port: redis.port,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Probe failures surface through the promise; ioredis would also emit them as events.
  client.on('error', () => undefined);
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') throw new Error('PING did not answer PONG');
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

export const redisServer: StackServer = {
  name: NAME,
  ports: { resp: redis.port },

  async install() {
    if (!(await which('redis-server'))) await aptInstall(NAME, ['redis-server']);
    if (!(await which('redis-server'))) throw new StackError(NAME, 'redis-server not found after install');
  },

  async start() {
    if (
      await probe()
        .then(() => true)
        .catch(() => false)
    )
      return;
    let pid = livePid(pidFile);
    if (pid === undefined) {
      await assertPortsFree(NAME, this.ports);
      mkdirSync(dir, { recursive: true });
      pid = spawnDetached({
        server: NAME,
        command: (await which('redis-server')) ?? 'redis-server',
        args: [
          '--port',
          String(redis.port),
          '--bind',
          host,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        logFile,
        pidFile,
      });
    }
    await waitFor(async () => (await probe()) !== '', {
      server: NAME,
      what: `redis to answer PING on ${redis.port}`,
      timeoutMs: 20_000,
      logFile,
      pid,
    });
  },

  async stop() {
    await stopPid(pidFile);
  },

  async status(): Promise<ServerStatus> {
    const pid = livePid(pidFile);
    try {
      const version = await probe();
      return {
        healthy: true,
        version,
        ports: this.ports,
        ownedByStack: pid !== undefined,
        detail: pid !== undefined ? `pid ${pid}` : 'external server (not started by the stack)',
      };
    } catch (err) {
      return {
        healthy: false,
        version: 'unknown',
        ports: this.ports,
        ownedByStack: pid !== undefined,
        detail: (err as Error).message,
      };
    }
  },

  logFiles: () => [logFile],
};

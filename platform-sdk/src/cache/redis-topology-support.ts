/**
 * Shared by the topology integration tests (not exported): a real Redis Cluster (three masters)
 * and a real Sentinel setup (master, replica, one sentinel), each started by the test itself
 * from a temp dir with Debian's `redis-server`, on loopback ports of its own, and killed
 * afterwards. Nothing is persisted (`save ""`, no AOF): a node restarted after a kill comes back
 * empty, as a cache node should.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { sleepMs } from './redis-it-support.js';

const run = promisify(execFile);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port p with p + 10000 free too (a cluster node's bus port). */
export async function freeNodePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(p) || taken.has(p + 10_000)) continue;
    if ((await portFree(p)) && (await portFree(p + 10_000))) {
      taken.add(p);
      taken.add(p + 10_000);
      return p;
    }
  }
}

export class RedisNode {
  proc: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly dir: string,
    readonly args: readonly string[],
  ) {}

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.proc = spawn('redis-server', [...this.args], { cwd: this.dir, stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis({
        port: this.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined); // refused until the server listens
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(
            `redis-server on ${this.port} did not start (is Debian's redis-server installed?)`,
            {
              cause: error,
            },
          );
        await sleepMs(50);
      } finally {
        probe.disconnect();
      }
    }
  }

  /** SIGKILL: no shutdown, no goodbye to the cluster, as a crash. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
}

async function info(port: number, section: string): Promise<string> {
  const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined); // a node that is down answers nothing: ''
  try {
    await r.connect();
    return section === 'cluster' ? ((await r.call('CLUSTER', 'INFO')) as string) : await r.info(section);
  } catch {
    return '';
  } finally {
    r.disconnect();
  }
}

export async function waitUntil(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleepMs(100);
  }
}

export class LocalRedisCluster {
  readonly nodes: RedisNode[] = [];
  readonly #root = mkdtempSync(join(tmpdir(), 'silk-redis-cluster-'));

  async start(masters = 3): Promise<void> {
    const taken = new Set<number>();
    for (let i = 0; i < masters; i++) {
      const port = await freeNodePort(taken);
      this.nodes.push(
        new RedisNode(port, join(this.#root, String(port)), [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '1000',
          // A cache cluster: the live masters keep serving while one is down.
          '--cluster-require-full-coverage',
          'no',
          '--save',
          '',
          '--appendonly',
          'no',
        ]),
      );
    }
    await Promise.all(this.nodes.map((n) => n.start()));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await this.waitHealthy();
  }

  /** Every node reports cluster_state:ok (all 16384 slots served). */
  async waitHealthy(ms = 20_000): Promise<void> {
    await waitUntil(
      'cluster_state:ok on every node',
      async () =>
        (await Promise.all(this.nodes.map((n) => info(n.port, 'cluster')))).every((t) =>
          t.includes('cluster_state:ok'),
        ),
      ms,
    );
  }

  client(): Cluster {
    return new Cluster(
      this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { clusterRetryStrategy: () => 200, redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 500 } },
    );
  }

  /** The node serving `key`'s slot. */
  async nodeOf(key: string): Promise<RedisNode> {
    const any = new Redis({ port: this.nodes[0]!.port });
    try {
      const slot = (await any.call('CLUSTER', 'KEYSLOT', key)) as number;
      const slots = (await any.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const owner = slots.find(([lo, hi]) => slot >= lo && slot <= hi)?.[2][1];
      const node = this.nodes.find((n) => n.port === owner);
      if (node === undefined) throw new Error(`no node serves slot ${slot}`);
      return node;
    } finally {
      any.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.#root, { recursive: true, force: true });
  }
}

export class LocalRedisSentinel {
  readonly masterName = 'silk-it-master';
  master!: RedisNode;
  replica!: RedisNode;
  sentinel!: RedisNode;
  readonly #root = mkdtempSync(join(tmpdir(), 'silk-redis-sentinel-'));

  async start(): Promise<void> {
    const taken = new Set<number>();
    const [m, r, s] = [await freeNodePort(taken), await freeNodePort(taken), await freeNodePort(taken)];
    const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.master = new RedisNode(m, join(this.#root, 'master'), ['--port', String(m), ...base]);
    this.replica = new RedisNode(r, join(this.#root, 'replica'), [
      '--port',
      String(r),
      ...base,
      '--replicaof',
      '127.0.0.1',
      String(m),
    ]);
    const dir = join(this.#root, 'sentinel');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'sentinel.conf'),
      [
        `port ${s}`,
        'bind 127.0.0.1',
        `sentinel monitor ${this.masterName} 127.0.0.1 ${m} 1`,
        `sentinel down-after-milliseconds ${this.masterName} 1000`,
        `sentinel failover-timeout ${this.masterName} 5000`,
        '',
      ].join('\n'),
    );
    this.sentinel = new RedisNode(s, dir, [join(dir, 'sentinel.conf'), '--sentinel']);
    await this.master.start();
    await this.replica.start();
    await waitUntil('the replica in sync', async () =>
      (await info(r, 'replication')).includes('master_link_status:up'),
    );
    await this.sentinel.start();
    await waitUntil('the sentinel to see the replica', async () => {
      const probe = new Redis({ port: s });
      try {
        const replicas = (await probe.call('SENTINEL', 'REPLICAS', this.masterName)) as unknown[];
        return replicas.length === 1;
      } finally {
        probe.disconnect();
      }
    });
  }

  /** A client that finds the master through the sentinel, as an application would. */
  client(): Redis {
    return new Redis({
      sentinels: [{ host: '127.0.0.1', port: this.sentinel.port }],
      name: this.masterName,
      maxRetriesPerRequest: 1,
      connectTimeout: 500,
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.sentinel, this.replica, this.master].map((n) => n?.kill()));
    rmSync(this.#root, { recursive: true, force: true });
  }
}

/**
 * A Lua script run by SHA (EVALSHA) with a fallback to EVAL when the server does not know it
 * yet (after a restart or SCRIPT FLUSH): the script body crosses the wire once per server.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A standalone or Sentinel-managed Redis (`Redis`), or a Redis Cluster (`Cluster`). In a
 * cluster, the keys one script touches share a hash slot (see cache-scripts.ts, lock-scripts.ts).
 */
export type RedisClient = Redis | Cluster;

/**
 * PUBLISH on a connection that is up: a cluster client sends a keyless command to any node, so
 * while a master is down it may pick that one; here the ready masters are tried in turn
 * (cluster pub/sub reaches every node from any of them).
 */
export async function publishAnywhere(client: RedisClient, channel: string, message: string): Promise<void> {
  if (!client.isCluster) {
    await client.publish(channel, message);
    return;
  }
  let last: unknown = new Error('no cluster node is connected');
  for (const node of (client as Cluster).nodes('master')) {
    if (node.status !== 'ready') continue;
    try {
      await node.publish(channel, message);
      return;
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

/** A second connection (or cluster client) to the same Redis, for pub/sub. */
export function duplicateClient(client: RedisClient): RedisClient {
  return client.isCluster ? (client as Cluster).duplicate() : (client as Redis).duplicate();
}

export type LuaArg = string | number;

export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly LuaArg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

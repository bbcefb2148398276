/**
 * An eviction Redis did not take is not forgotten: with a private, persisted redis-server
 * (AOF, fsync always) killed while it holds a cached value, `evict` still returns, the writer
 * reads the new value from the source meanwhile, and once Redis is back — with the old value
 * restored from its AOF — the background retry deletes it and every instance reads the new one.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from './cache.js';
import { eventually, recordingLogger } from './redis-it-support.js';
import { freeNodePort, RedisNode } from './redis-topology-support.js';

const dir = mkdtempSync(join(tmpdir(), 'silk-redis-aof-'));
let node: RedisNode;
const clients: Redis[] = [];
const source = new Map<string, number>();

function connect(): Redis {
  const r = new Redis({ port: node.port, maxRetriesPerRequest: 1 });
  r.on('error', () => undefined); // refused while the server is down: the point of the test
  clients.push(r);
  return r;
}

function instance(): Cache<string, number> {
  return new Cache<string, number>({
    name: 'pending',
    redis: connect(),
    subscriber: connect(),
    redisTimeoutMs: 300,
    logger: recordingLogger(),
    loader: (k) => Promise.resolve(source.get(k) ?? 0),
  });
}

beforeAll(async () => {
  const port = await freeNodePort(new Set());
  node = new RedisNode(port, dir, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
  ]);
  await node.start();
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await node.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('evictions while Redis is down', () => {
  it('are retried until Redis takes them, even when it comes back with the old value', async () => {
    const writer = instance();
    const reader = instance();
    await Promise.all([writer.start(), reader.start()]);
    source.set('k', 1);
    expect(await writer.get('k')).toBe(1);
    expect(await reader.get('k')).toBe(1);
    const admin = connect();
    expect(await admin.get('silk:cache:pending:k')).toBe('1');

    await node.kill();
    source.set('k', 2);
    await writer.evict('k'); // returns: the eviction is left to the background retry
    expect(await writer.get('k')).toBe(2); // the writer reads its own write from the source

    await node.start(); // the AOF brings the old value back
    expect(
      await eventually(
        async () => (await admin.get('silk:cache:pending:k').catch(() => 'down')) === null,
        10_000,
        50,
      ),
    ).toBe(true);
    expect(await eventually(async () => (await reader.get('k')) === 2, 5_000, 50)).toBe(true);
    expect(await writer.get('k')).toBe(2);
    await Promise.all([writer.stop(), reader.stop()]);
  }, 30_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { host, redis as redisConfig } from '@silk/stack/config';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSnowflake, SnowflakeGenerator } from './snowflake.js';
import { WorkerIdLease } from './worker-id-lease.js';

const run = promisify(execFile);
const namespace = `silk:snowflake-it:${process.pid}`;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis({ host, port: redisConfig.port, maxRetriesPerRequest: 1 });
  await redis.ping().catch((err: unknown) => {
    throw new Error(`Redis not reachable on ${host}:${redisConfig.port} — run \`pnpm stack up\``, { cause: err });
  });
});

afterAll(async () => {
  const keys = await redis.keys(`${namespace}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('snowflake worker ids leased through Redis', () => {
  it('several processes contending for 3 worker ids issue no duplicate, and never hold one id at once', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'silk-snowflake-')), 'ids.jsonl');
    const child = fileURLToPath(new URL('./fixtures/snowflake-child.ts', import.meta.url));
    const ns = `${namespace}:multi`;
    // 4 processes × 6 rounds × 5000 ids over worker ids 0..2: ids change hands many times.
    await Promise.all(
      [0, 1, 2, 3].map(() => run(process.execPath, ['--import', 'tsx', child, ns, '2', '6', '5000', out], { timeout: 120_000 })),
    );
    const rounds = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { pid: number; round: number; ids: string[] });
    expect(rounds).toHaveLength(24);
    const all = rounds.flatMap((r) => r.ids);
    expect(all).toHaveLength(120_000);
    expect(new Set(all).size).toBe(all.length);
    // Each holding of a worker id spans [first ms, last ms] of its ids; holdings of one worker id
    // never overlap in time, which two simultaneous holders issuing ids could not avoid.
    const spans = new Map<number, [number, number][]>();
    for (const r of rounds) {
      const parsed = r.ids.map((id) => parseSnowflake(BigInt(id)));
      const workerId = parsed[0]?.workerId ?? -1;
      expect(parsed.every((p) => p.workerId === workerId)).toBe(true);
      spans.set(workerId, [...(spans.get(workerId) ?? []), [parsed[0]?.ms ?? 0, parsed.at(-1)?.ms ?? 0]]);
    }
    expect([...spans.keys()].every((w) => w >= 0 && w <= 2)).toBe(true);
    for (const list of spans.values()) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) expect((list[i] as [number, number])[0]).toBeGreaterThan((list[i - 1] as [number, number])[1]);
    }
  }, 180_000);

  it('stops issuing as soon as another holder has the worker id', async () => {
    const events: string[] = [];
    const lease = new WorkerIdLease({ redis, namespace: `${namespace}:steal`, ttlMs: 600, maxWorkerId: 0, onChange: (e) => events.push(e.type) });
    await lease.start();
    const gen = new SnowflakeGenerator({ workerIds: lease });
    await gen.nextId();
    // The key expires and someone else takes it (simulated by overwriting the token).
    await redis.set(`${namespace}:steal:worker:0`, 'intruder', 'PX', 5000);
    await waitFor(async () => (await gen.nextId().then(() => false, () => true)));
    await expect(gen.nextId()).rejects.toMatchObject({ code: 'SILK_ID_WORKER_UNAVAILABLE' });
    expect(events).toEqual(['acquired', 'lost']);
    await lease.stop();
  });

  it('stops issuing when Redis is unreachable past the lease deadline', async () => {
    const own = new Redis({ host, port: redisConfig.port, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await new Promise((r) => own.once('ready', r));
    const lease = new WorkerIdLease({ redis: own, namespace: `${namespace}:cut`, ttlMs: 600 });
    await lease.start();
    const gen = new SnowflakeGenerator({ workerIds: lease });
    await gen.nextId();
    own.disconnect(); // the socket to Redis is cut; renewals fail
    const cutAt = performance.now();
    await waitFor(async () => (await gen.nextId().then(() => false, () => true)));
    // Refused before Redis could expire the key (600 ms after the last renewal was sent).
    expect(performance.now() - cutAt).toBeLessThan(600);
    await expect(gen.nextId()).rejects.toMatchObject({ code: 'SILK_ID_WORKER_UNAVAILABLE' });
    await lease.stop().catch(() => undefined);
  });
});

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * What a Silk cache read costs, beside a raw ioredis GET of the same value on the stack's Redis:
 * an in-process (L1) hit, a Redis (L2) hit with L1 off, and a miss that loads and stores. Reads
 * are awaited one after another, so the figures are latencies.
 *
 * The shared machine's noise is larger than the few microseconds the Redis-hit target is about,
 * so raw GETs and cache reads alternate in one loop (which goes first alternates too) and each
 * kind is timed on its own: the baseline case runs the loop and reports the raw time, the
 * Redis-hit case the cache time of that same loop.
 */
import { host, redis as redisConfig } from '@silk/stack/config';
import { Cache } from '@silk/platform-sdk/cache';
import { Redis } from 'ioredis';
import { nsPerOpAsync, type Benchmark } from '../harness.js';

const PAIRED = 10_000;
const MISSES = 5_000;
const PREFIX = `silk-bench:cache:${process.pid}:`;
const VALUE = { id: 42, name: 'Silk scarf', priceCents: 12_900, stock: 17 };
const quiet = { warn: () => undefined, error: () => undefined };

interface Rig {
  raw: Redis;
  redisOnly: Cache<string, typeof VALUE>;
  twoLevel: Cache<string, typeof VALUE>;
  rawKey: string;
  connections: Redis[];
}

let rig: Rig | undefined;
// eslint-disable-next-line @typescript-eslint/require-await -- the floor is exactly an async function with nothing to await
const floor = async (): Promise<number> => VALUE.id;
let missKey = 0;

async function setup(): Promise<void> {
  const connections: Redis[] = [];
  const connect = async (): Promise<Redis> => {
    const r = new Redis({ host, port: redisConfig.port, lazyConnect: true });
    await r.connect();
    connections.push(r);
    return r;
  };
  const loader = (): Promise<typeof VALUE> => Promise.resolve(VALUE);
  const make = async (name: string, local: false | { maxEntries: number }) => {
    const c = new Cache<string, typeof VALUE>({
      name,
      redis: await connect(),
      subscriber: await connect(),
      keyPrefix: PREFIX,
      local,
      loader,
      logger: quiet,
    });
    await c.start();
    return c;
  };
  const redisOnly = await make('l2', false);
  const twoLevel = await make('l1', { maxEntries: 10_000 });
  await redisOnly.get('hot');
  await twoLevel.get('hot');
  // The raw baseline reads the very value the Redis-hit case reads.
  const rawKey = `${PREFIX}l2:hot`;
  const raw = await connect();
  if ((await raw.get(rawKey)) === null) throw new Error(`the cache did not store ${rawKey} where expected`);
  rig = { raw, redisOnly, twoLevel, rawKey, connections };
}

async function teardown(): Promise<void> {
  if (rig === undefined) return;
  await rig.redisOnly.stop();
  await rig.twoLevel.stop();
  let cursor = '0';
  do {
    const [next, keys] = await rig.raw.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await rig.raw.del(...keys);
  } while (cursor !== '0');
  await Promise.all(rig.connections.map((c) => c.quit()));
  rig = undefined;
}

let lastCacheNs = Number.NaN;
async function pairedLoop(): Promise<{ 'ns/op': number }> {
  const { raw, rawKey, redisOnly } = rig!;
  let rawNs = 0n;
  let cacheNs = 0n;
  let sink = 0;
  const rawGet = async () => {
    const t = process.hrtime.bigint();
    const text = await raw.get(rawKey);
    // A fair baseline decodes what it read, as the cache must.
    sink += (JSON.parse(text!) as typeof VALUE).id;
    rawNs += process.hrtime.bigint() - t;
  };
  const cacheGet = async () => {
    const t = process.hrtime.bigint();
    sink += (await redisOnly.get('hot'))!.id;
    cacheNs += process.hrtime.bigint() - t;
  };
  for (let i = 0; i < PAIRED; i++) {
    if (i % 2 === 0) {
      await rawGet();
      await cacheGet();
    } else {
      await cacheGet();
      await rawGet();
    }
  }
  if (sink !== 42 * 2 * PAIRED) throw new Error('a read returned the wrong value');
  if (redisOnly.stats().hitsLocal !== 0) throw new Error('the Redis-hit case was answered from L1');
  lastCacheNs = Number(cacheNs) / PAIRED;
  return { 'ns/op': Number(rawNs) / PAIRED };
}

async function missLoop(): Promise<{ 'ns/op': number }> {
  const { twoLevel } = rig!;
  const before = twoLevel.stats().loads;
  const start = process.hrtime.bigint();
  for (let i = 0; i < MISSES; i++) await twoLevel.get(`miss-${missKey++}`);
  const ns = Number(process.hrtime.bigint() - start) / MISSES;
  if (twoLevel.stats().loads - before !== MISSES) throw new Error('a miss did not load');
  return { 'ns/op': ns };
}

const bench: Benchmark = {
  name: 'cache-get',
  description:
    "Latency of one awaited read on the stack's Redis (loopback), one connection per client: raw ioredis GET + JSON.parse of a " +
    `${JSON.stringify(VALUE).length}-byte JSON value (baseline) and Cache.get answered by Redis with L1 off, alternating in one loop of ` +
    `${PAIRED} pairs (both figures of a run come from the same loop); Cache.get answered by the in-process LRU; Cache.get of a ` +
    `new key each time (${MISSES} per run): Redis miss, lease, load (an immediate loader), conditional store, L1 fill; ` +
    'and the floor of any awaited call on this machine.',
  runs: 7,
  better: { 'ns/op': 'lower' },
  cases: [
    { name: 'raw ioredis GET + JSON.parse', baseline: true, setup, run: () => pairedLoop() },
    { name: 'Cache.get, Redis hit (L1 off)', run: () => ({ 'ns/op': lastCacheNs }) },
    {
      name: 'Cache.get, in-process hit',
      run: () => nsPerOpAsync(() => rig!.twoLevel.get('hot'), 500_000),
    },
    { name: 'Cache.get, miss with load', run: () => missLoop(), teardown },
    {
      // What any awaited call costs on this machine: the in-process hit cannot go below it.
      name: 'floor: await of an async function returning at once',
      run: () => nsPerOpAsync(floor, 500_000),
    },
  ],
  targets: ['in-process hit ≤ 200 ns', 'Redis hit ≤ 1.1 × the raw GET'],
};

export default bench;

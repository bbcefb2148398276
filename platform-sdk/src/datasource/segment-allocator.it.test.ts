import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertReachable, stackPool } from './it-support.js';
import { SegmentIdAllocator } from './segment-allocator.js';

const run = promisify(execFile);
const table = `leaf_alloc_${process.pid}`;
let pool: mysql.Pool;
let alloc: SegmentIdAllocator;

beforeAll(async () => {
  pool = stackPool('silk_test');
  await assertReachable(pool, 'MariaDB');
  alloc = new SegmentIdAllocator({ pool, table });
  await alloc.ensureTable();
});

afterAll(async () => {
  await pool?.query(`DROP TABLE IF EXISTS ${table}`);
  await pool?.end();
});

describe('segment ids from MySQL (Leaf-segment)', () => {
  it('hands out dense increasing ids across segments, fetching the next one ahead', async () => {
    await alloc.register('order', 100, 1000);
    const ids: bigint[] = [];
    for (let i = 0; i < 250; i++) ids.push(await alloc.nextId('order'));
    expect(ids[0]).toBe(1000n);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => 1000n + BigInt(i)));
    // 250 ids used three segments; the fourth is fetched ahead in the background once a tenth
    // of the third is used, so max_id ends one step past the ids handed out — and no further.
    const maxId = async () => Number(((await pool.query(`SELECT max_id FROM ${table} WHERE biz_tag = 'order'`))[0] as { max_id: number }[])[0]?.max_id);
    const deadline = Date.now() + 5000;
    while ((await maxId()) < 1400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await maxId()).toBe(1400);
  });

  it('refuses a biz_tag that is not registered', async () => {
    await expect(alloc.nextId('nope')).rejects.toMatchObject({ code: 'SILK_ID_SEGMENT_FAILED' });
  });

  it('several processes take ids from one biz_tag with no duplicate and few gaps', async () => {
    await alloc.register('multi', 500, 1);
    const out = join(mkdtempSync(join(tmpdir(), 'silk-segment-')), 'ids.jsonl');
    const child = fileURLToPath(new URL('./fixtures/segment-child.ts', import.meta.url));
    await Promise.all([0, 1, 2].map(() => run(process.execPath, ['--import', 'tsx', child, table, 'multi', '4000', out], { timeout: 120_000 })));
    const lists = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { ids: string[] }).ids.map((s) => Number(s)));
    const all = lists.flat();
    expect(all).toHaveLength(12_000);
    expect(new Set(all).size).toBe(12_000);
    // Dense: at most the unused rest of two segments per process is skipped.
    expect(Math.max(...all)).toBeLessThan(12_000 + 3 * 2 * 500 + 1);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

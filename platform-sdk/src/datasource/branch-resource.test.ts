import { describe, expect, it } from 'vitest';
import { branchResource, type BranchStatements, type BranchTransactionSource } from './branch-resource.js';
import { ShardingDataSource } from './sharding-data-source.js';
import { parseShardingRuleYaml } from './sharding-rule.js';

/** Records what an AT data source would see: which statements ran inside which branch callback, and how it ended. */
class RecordingBranchSource implements BranchTransactionSource {
  readonly branches: { statements: string[]; outcome?: 'committed' | 'rolled back' }[] = [];
  constructor(private readonly retries = 0) {}

  async transaction<T>(fn: (conn: BranchStatements) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const branch: { statements: string[]; outcome?: 'committed' | 'rolled back' } = { statements: [] };
      this.branches.push(branch);
      try {
        const out = await fn({ query: (sql) => (branch.statements.push(sql), Promise.resolve([[], undefined])) as never });
        if (attempt < this.retries) throw Object.assign(new Error('lock conflict'), { conflict: true });
        branch.outcome = 'committed';
        return out;
      } catch (err) {
        branch.outcome = 'rolled back';
        if ((err as { conflict?: boolean }).conflict && attempt < this.retries) continue;
        throw err;
      }
    }
  }

  query<T>(): Promise<[T, unknown]> {
    return Promise.resolve([[] as T, undefined]);
  }
}

const rule = parseShardingRuleYaml(`
rules:
- !SHARDING
  tables:
    t:
      actualDataNodes: ds_\${0..1}.t
      databaseStrategy: { standard: { shardingColumn: k, shardingAlgorithmName: m } }
  shardingAlgorithms:
    m: { type: MOD, props: { sharding-count: 2 } }
`);

function setup(retries = 0) {
  const sources = [new RecordingBranchSource(retries), new RecordingBranchSource(retries)];
  const ds = new ShardingDataSource({ rule, dataSources: sources.map((s, i) => branchResource(`ds_${i}`, s)) });
  return { ds, sources };
}

describe('AT branches per shard', () => {
  it('runs each shard statement inside that shard branch and commits every branch', async () => {
    const { ds, sources } = setup();
    await ds.transaction(async (tx) => {
      await tx.query('INSERT INTO t (k, v) VALUES (?, ?)', [1, 'a']);
      await tx.query('INSERT INTO t (k, v) VALUES (?, ?)', [2, 'b']);
      await tx.query('UPDATE t SET v = ? WHERE k = ?', ['c', 1]);
    });
    expect(sources[0]?.branches).toEqual([{ statements: ['INSERT INTO `t` (k, v) VALUES (?,?)'], outcome: 'committed' }]);
    expect(sources[1]?.branches[0]?.statements).toHaveLength(2);
    expect(sources[1]?.branches[0]?.outcome).toBe('committed');
  });

  it('rolls back every branch when the work fails', async () => {
    const { ds, sources } = setup();
    await expect(
      ds.transaction(async (tx) => {
        await tx.query('INSERT INTO t (k, v) VALUES (?, ?)', [1, 'a']);
        await tx.query('INSERT INTO t (k, v) VALUES (?, ?)', [2, 'b']);
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    expect(sources.map((s) => s.branches.map((b) => b.outcome))).toEqual([['rolled back'], ['rolled back']]);
  });

  it('fails, never commits an empty branch, when the AT layer retries a branch callback', async () => {
    const { ds, sources } = setup(1);
    await expect(
      ds.transaction(async (tx) => {
        await tx.query('INSERT INTO t (k, v) VALUES (?, ?)', [2, 'b']);
      }),
    ).rejects.toMatchObject({ code: 'SILK_DATASOURCE_UNAVAILABLE', retryable: true });
    expect(sources[0]?.branches.map((b) => b.outcome)).toEqual(['rolled back', 'rolled back']);
  });
});

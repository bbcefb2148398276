import { describe, expect, it } from 'vitest';
import { parseRulesYaml, parseShardingRuleYaml } from './sharding-rule.js';

const invalid: unknown = expect.objectContaining({ code: 'SILK_SHARDING_RULE_INVALID' });

describe('ShardingSphere YAML rules', () => {
  it('reads tables, strategies, defaults, binding and broadcast tables', () => {
    const rule = parseShardingRuleYaml(`
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_\${0..1}.t_order_\${0..1}
      tableStrategy: { standard: { shardingColumn: order_id, shardingAlgorithmName: t_mod } }
    t_order_item:
      actualDataNodes: ds_\${0..1}.t_order_item_\${0..1}
      tableStrategy: { standard: { shardingAlgorithmName: t_mod } }
  defaultShardingColumn: order_id
  defaultDatabaseStrategy: { standard: { shardingColumn: user_id, shardingAlgorithmName: db_mod } }
  bindingTables: [ "t_order, t_order_item" ]
  broadcastTables: [ T_DICT ]
  shardingAlgorithms:
    db_mod: { type: MOD, props: { sharding-count: 2 } }
    t_mod: { type: mod, props: { sharding-count: 2 } }
`);
    const order = rule.tables.get('t_order');
    expect(order?.dataNodes).toHaveLength(4);
    expect(order?.databaseStrategy?.shardingColumn).toBe('user_id');
    expect(rule.tables.get('t_order_item')?.tableStrategy?.shardingColumn).toBe('order_id');
    expect(rule.bindingGroups).toEqual([['t_order', 't_order_item']]);
    expect(rule.broadcastTables.has('t_dict')).toBe(true);
    expect(rule.dataSourceNames).toEqual(['ds_0', 'ds_1']);
  });

  it('reads read/write splitting groups (5.4 dataSourceGroups and older dataSources)', () => {
    const parsed = parseRulesYaml(`
rules:
- !READWRITE_SPLITTING
  dataSources:
    rw_ds: { writeDataSourceName: primary, readDataSourceNames: [ r0, r1 ], loadBalancerName: rnd }
  loadBalancers:
    rnd: { type: RANDOM }
`);
    expect(parsed.readwriteSplitting).toEqual([
      { name: 'rw_ds', writeDataSourceName: 'primary', readDataSourceNames: ['r0', 'r1'], loadBalancerType: 'RANDOM' },
    ]);
  });

  it('names what is wrong', () => {
    const base = (table: string, algs = 'm: { type: MOD, props: { sharding-count: 2 } }') =>
      `rules:\n- !SHARDING\n  tables:\n    t:\n${table}\n  shardingAlgorithms:\n    ${algs}\n`;
    expect(() => parseShardingRuleYaml('rules: [')).toThrow(invalid);
    expect(() => parseShardingRuleYaml('foo: 1')).toThrow(/rules/);
    expect(() => parseShardingRuleYaml('rules:\n- !ENCRYPT\n  x: 1\n')).toThrow(/not a rule Silk runs/);
    expect(() => parseShardingRuleYaml(base('      actualDataNodes: ""'))).toThrow(/no actualDataNodes/);
    expect(() =>
      parseShardingRuleYaml(base('      actualDataNodes: ds_${0..1}.t\n      databaseStrategy: { standard: { shardingColumn: a, shardingAlgorithmName: nope } }')),
    ).toThrow(/"nope"/);
    expect(() => parseShardingRuleYaml(base('      actualDataNodes: ds_${0..1}.t'))).toThrow(/no databaseStrategy/);
    expect(() =>
      parseShardingRuleYaml(base('      actualDataNodes: ds.t\n      databaseStrategy: { complex: { shardingColumns: a } }')),
    ).toThrow(/standard/);
  });
});

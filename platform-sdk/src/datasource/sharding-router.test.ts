import { describe, expect, it } from 'vitest';
import { parseShardingRuleYaml } from './sharding-rule.js';
import { ShardingRouter, type RouteResult } from './sharding-router.js';

export const ORDER_RULE_YAML = `
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_\${0..1}.t_order_\${0..1}
      databaseStrategy:
        standard: { shardingColumn: user_id, shardingAlgorithmName: db_mod }
      tableStrategy:
        standard: { shardingColumn: order_id, shardingAlgorithmName: table_mod }
    t_order_item:
      actualDataNodes: ds_\${0..1}.t_order_item_\${0..1}
      databaseStrategy:
        standard: { shardingColumn: user_id, shardingAlgorithmName: db_mod }
      tableStrategy:
        standard: { shardingColumn: order_id, shardingAlgorithmName: table_mod }
    t_log:
      actualDataNodes: ds_\${0..1}.t_log
      databaseStrategy:
        standard: { shardingColumn: id, shardingAlgorithmName: log_range }
  bindingTables: [ "t_order,t_order_item" ]
  broadcastTables: [ t_dict ]
  shardingAlgorithms:
    db_mod: { type: MOD, props: { sharding-count: 2 } }
    table_mod: { type: HASH_MOD, props: { sharding-count: 2 } }
    log_range: { type: BOUNDARY_RANGE, props: { sharding-ranges: 100 } }
`;

const router = () => new ShardingRouter(parseShardingRuleYaml(ORDER_RULE_YAML), { defaultDataSource: 'ds_0' });
const units = (r: RouteResult) => (r.kind === 'single' ? [r.unit] : r.units);
const where = (r: RouteResult) => units(r).map((u) => `${u.dataSource}.${/t_\w+/.exec(u.sql)?.[0]}`);

describe('routing with the sharding key', () => {
  it('sends = on both keys to one node, rewriting names and keeping parameters', () => {
    const r = router().route('SELECT * FROM t_order WHERE user_id = ? AND order_id = ?', [3, 4]);
    expect(r.kind).toBe('single');
    expect(where(r)).toEqual(['ds_1.t_order_0']);
    expect(units(r)[0]?.params).toEqual([3, 4]);
  });

  it('sends IN to the few nodes its values hit', () => {
    const r = router().route('SELECT * FROM t_order WHERE user_id IN (?, ?) AND order_id = 5', [2, 4]);
    expect(where(r)).toEqual(['ds_0.t_order_1']);
    expect(where(router().route('SELECT * FROM t_order WHERE user_id IN (1, 2)'))).toHaveLength(4);
  });

  it('uses BETWEEN and comparisons for range algorithms', () => {
    expect(where(router().route('SELECT * FROM t_log WHERE id BETWEEN ? AND ?', [5, 50]))).toEqual(['ds_0.t_log']);
    expect(where(router().route('SELECT * FROM t_log WHERE id >= 100'))).toEqual(['ds_1.t_log']);
    expect(where(router().route('SELECT * FROM t_log WHERE id < 100 OR id > 200'))).toEqual(['ds_0.t_log', 'ds_1.t_log']);
  });

  it('routes bound tables to the node at the same position, aliases included', () => {
    const r = router().route(
      'SELECT o.order_id, i.item_id FROM t_order o JOIN t_order_item i ON o.order_id = i.order_id WHERE o.user_id = ? AND o.order_id = ?',
      [1, 2],
    );
    expect(units(r)[0]?.sql).toContain('`t_order_0` AS `o`');
    expect(units(r)[0]?.sql).toContain('`t_order_item_0` AS `i`');
    expect(units(r)[0]?.dataSource).toBe('ds_1');
  });

  it('splits a multi-row INSERT by node', () => {
    const r = router().route('INSERT INTO t_order (order_id, user_id, amount) VALUES (?, ?, ?), (?, ?, ?), (2, 2, 9)', [1, 1, 5, 2, 1, 6]);
    expect(r.kind).toBe('multi-write');
    const byNode = Object.fromEntries(units(r).map((u) => [`${u.dataSource}.${/t_order_\d/.exec(u.sql)?.[0]}`, u.params]));
    expect(byNode).toEqual({ 'ds_1.t_order_1': [1, 1, 5], 'ds_1.t_order_0': [2, 1, 6], 'ds_0.t_order_0': [] });
  });

  it('passes statements on other tables through unchanged, and broadcasts writes to broadcast tables', () => {
    const r = router().route('SELECT * FROM t_user WHERE id = ?', [1]);
    expect(r).toMatchObject({ kind: 'single', unit: { dataSource: 'ds_0', sql: 'SELECT * FROM t_user WHERE id = ?' } });
    expect(where(router().route("UPDATE t_dict SET v = 'x'"))).toHaveLength(2);
  });
});

describe('fan-out without the sharding key', () => {
  it('rewrites LIMIT o, n to LIMIT o + n on every node', () => {
    const r = router().route('SELECT order_id, amount FROM t_order ORDER BY amount DESC LIMIT ?, ?', [10, 5]);
    expect(r.kind).toBe('merge');
    for (const u of units(r)) {
      expect(u.sql).toMatch(/LIMIT \?$/);
      expect(u.params).toEqual([15]);
    }
    expect(units(r)).toHaveLength(4);
  });

  it('adds SUM and COUNT beside AVG', () => {
    const r = router().route('SELECT AVG(amount) AS a FROM t_order');
    expect(units(r)[0]?.sql).toMatch(/SUM\(`amount`\).*COUNT\(`amount`\)/);
  });

  it('sums affected rows of a keyless UPDATE', () => {
    expect(router().route('UPDATE t_order SET status = ? WHERE amount > ?', ['x', 1]).kind).toBe('multi-write');
  });
});

describe('refusals', () => {
  const refused = (sql: string, params: unknown[] = []) =>
    expect(() => router().route(sql, params)).toThrow(expect.objectContaining({ code: 'SILK_SHARDING_UNSUPPORTED_SQL' }));

  it('refuses joins of unbound sharded tables and sharded with single tables', () => {
    refused('SELECT * FROM t_order o JOIN t_log l ON o.order_id = l.id');
    refused('SELECT * FROM t_order o JOIN t_user u ON o.user_id = u.id WHERE o.user_id = 1 AND o.order_id = 1');
  });

  it('refuses subqueries, unions and several statements on sharded tables', () => {
    refused('SELECT * FROM t_order WHERE order_id IN (SELECT order_id FROM t_order_item)');
    refused('SELECT * FROM t_user WHERE id IN (SELECT user_id FROM t_order)');
    refused('SELECT order_id FROM t_order UNION SELECT 1');
  });

  it('refuses what it cannot merge when it fans out, but runs it on one shard', () => {
    refused('SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id HAVING COUNT(*) > 1');
    refused('SELECT COUNT(DISTINCT user_id) FROM t_order');
    refused('SELECT SUM(amount) + 1 FROM t_order');
    refused('SELECT user_id, SUM(amount) FROM t_order');
    expect(router().route('SELECT COUNT(DISTINCT status) FROM t_order WHERE user_id = 1 AND order_id = 2').kind).toBe('single');
  });

  it('refuses updates of the sharding key and keyless inserts', () => {
    refused('UPDATE t_order SET user_id = 2 WHERE order_id = 1 AND user_id = 1');
    refused('INSERT INTO t_order (order_id, amount) VALUES (1, 2)');
    refused('INSERT INTO t_order (order_id, user_id) VALUES (1, 1 + 1)');
    refused('INSERT INTO t_order (order_id, user_id) SELECT 1, 2');
    refused('DELETE FROM t_order WHERE amount > 1 LIMIT 10');
    refused('ALTER TABLE t_order ADD COLUMN x INT');
  });

  it('names a value no node holds', () => {
    expect(() => router().route("SELECT * FROM t_order WHERE user_id = 'abc'")).toThrow(
      expect.objectContaining({ code: 'SILK_SHARDING_NO_ROUTE' }),
    );
  });
});

describe('plan cache', () => {
  it('parses a text once and reuses the rewritten statement', () => {
    const r = router();
    const a = r.route('SELECT * FROM t_order WHERE user_id = ? AND order_id = ?', [1, 1]);
    const b = r.route('SELECT * FROM t_order WHERE user_id = ? AND order_id = ?', [3, 5]);
    expect(units(a)[0]?.sql).toBe(units(b)[0]?.sql);
    expect(r.plan('SELECT * FROM t_order WHERE user_id = ? AND order_id = ?')).toBe(r.plan('SELECT * FROM t_order WHERE user_id = ? AND order_id = ?'));
  });
});

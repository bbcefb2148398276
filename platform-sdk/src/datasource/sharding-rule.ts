/**
 * Sharding rules in ShardingSphere 5's YAML shape, so a Java team reads them as their own:
 *
 *   rules:
 *   - !SHARDING
 *     tables:
 *       t_order:
 *         actualDataNodes: ds_${0..1}.t_order_${0..1}
 *         databaseStrategy: { standard: { shardingColumn: user_id, shardingAlgorithmName: db_mod } }
 *         tableStrategy:    { standard: { shardingColumn: order_id, shardingAlgorithmName: t_mod } }
 *     bindingTables: [ t_order,t_order_item ]
 *     broadcastTables: [ t_dict ]
 *     defaultDatabaseStrategy / defaultTableStrategy: { standard: ... } | { none: }
 *     shardingAlgorithms:
 *       db_mod: { type: MOD, props: { sharding-count: 2 } }
 *
 * Parsing builds every algorithm and checks every reference, so a rule that loads is a rule
 * that routes; a bad one throws SILK_SHARDING_RULE_INVALID naming the offending key. Only the
 * `standard` and `none` strategies exist here: complex and hint strategies are refused.
 */
import { parseDocument, isMap, isSeq, type Node } from 'yaml';
import { ShardingRuleError } from './errors.js';
import { parseDataNodes, type DataNode } from './inline-expression.js';
import { createShardingAlgorithm, type StandardShardingAlgorithm } from './sharding-algorithms.js';

export interface ShardingStrategy {
  shardingColumn: string;
  algorithmName: string;
  algorithm: StandardShardingAlgorithm;
}

export interface TableRule {
  logicTable: string;
  dataNodes: DataNode[];
  /** Data source names in first-seen order. */
  dataSourceNames: string[];
  databaseStrategy?: ShardingStrategy;
  tableStrategy?: ShardingStrategy;
}

export interface ShardingRule {
  /** By lower-cased logic table name (MySQL table names are case-insensitive here). */
  tables: ReadonlyMap<string, TableRule>;
  /** Each group lower-cased; a table is in at most one group. */
  bindingGroups: readonly (readonly string[])[];
  broadcastTables: ReadonlySet<string>;
  /** Every data source any rule names. */
  dataSourceNames: readonly string[];
}

export interface ReadwriteSplittingGroupRule {
  name: string;
  writeDataSourceName: string;
  readDataSourceNames: string[];
  loadBalancerType: string;
}

export interface ParsedRules {
  sharding?: ShardingRule;
  readwriteSplitting: ReadwriteSplittingGroupRule[];
}

type Obj = Record<string, unknown>;

/** Parses the `rules:` list of a ShardingSphere YAML document (other top-level keys are ignored). */
export function parseRulesYaml(text: string): ParsedRules {
  const doc = parseDocument(text, { logLevel: 'silent' });
  if (doc.errors.length > 0) throw new ShardingRuleError('YAML', doc.errors[0]?.message ?? 'does not parse');
  const rules = doc.get('rules', true) as Node | undefined;
  if (!isSeq(rules)) throw new ShardingRuleError('YAML', 'has no `rules:` list');
  const out: ParsedRules = { readwriteSplitting: [] };
  for (const item of rules.items) {
    const tag = (item as Node).tag ?? '';
    const value = isMap(item) ? (item.toJSON() as Obj) : undefined;
    if (value === undefined) throw new ShardingRuleError(`rule ${tag}`, 'is not a mapping');
    if (tag === '!SHARDING') out.sharding = buildShardingRule(value);
    else if (tag === '!READWRITE_SPLITTING') out.readwriteSplitting = buildReadwriteSplitting(value);
    else throw new ShardingRuleError(`rule ${tag || '(untagged)'}`, 'is not a rule Silk runs (!SHARDING, !READWRITE_SPLITTING)');
  }
  return out;
}

export function parseShardingRuleYaml(text: string): ShardingRule {
  const parsed = parseRulesYaml(text);
  if (!parsed.sharding) throw new ShardingRuleError('YAML', 'has no !SHARDING rule');
  return parsed.sharding;
}

export function buildShardingRule(config: Obj): ShardingRule {
  const algorithms = new Map<string, StandardShardingAlgorithm>();
  for (const [name, raw] of Object.entries(asObj(config.shardingAlgorithms, 'shardingAlgorithms'))) {
    const where = `shardingAlgorithms.${name}`;
    const a = asObj(raw, where);
    if (typeof a.type !== 'string') throw new ShardingRuleError(where, 'has no type');
    algorithms.set(name, createShardingAlgorithm(a.type, asObj(a.props, `${where}.props`), where));
  }
  const strategy = (raw: unknown, where: string, fallback?: ShardingStrategy): ShardingStrategy | undefined => {
    if (raw === undefined || raw === null) return fallback;
    const s = asObj(raw, where);
    if ('none' in s) return undefined;
    if (!('standard' in s)) throw new ShardingRuleError(where, 'only `standard` and `none` strategies are supported');
    const std = asObj(s.standard, `${where}.standard`);
    const column = std.shardingColumn ?? config.defaultShardingColumn;
    const algorithmName = std.shardingAlgorithmName;
    if (typeof column !== 'string' || column === '') throw new ShardingRuleError(where, 'has no shardingColumn');
    if (typeof algorithmName !== 'string') throw new ShardingRuleError(where, 'has no shardingAlgorithmName');
    const algorithm = algorithms.get(algorithmName);
    if (!algorithm) throw new ShardingRuleError(where, `names algorithm "${algorithmName}" that shardingAlgorithms does not define`);
    return { shardingColumn: column, algorithmName, algorithm };
  };
  const defaultDb = strategy(config.defaultDatabaseStrategy, 'defaultDatabaseStrategy');
  const defaultTable = strategy(config.defaultTableStrategy, 'defaultTableStrategy');

  const tables = new Map<string, TableRule>();
  for (const [logicTable, raw] of Object.entries(asObj(config.tables, 'tables'))) {
    const where = `tables.${logicTable}`;
    const t = asObj(raw, where);
    const nodes = typeof t.actualDataNodes === 'string' ? parseDataNodes(t.actualDataNodes, where) : [];
    if (nodes.length === 0) throw new ShardingRuleError(where, 'has no actualDataNodes');
    const rule: TableRule = {
      logicTable,
      dataNodes: nodes,
      dataSourceNames: [...new Set(nodes.map((n) => n.dataSource))],
    };
    const db = strategy(t.databaseStrategy, `${where}.databaseStrategy`, defaultDb);
    const tb = strategy(t.tableStrategy, `${where}.tableStrategy`, defaultTable);
    if (db) rule.databaseStrategy = db;
    if (tb) rule.tableStrategy = tb;
    if (!db && rule.dataSourceNames.length > 1) {
      throw new ShardingRuleError(where, 'spans several data sources but has no databaseStrategy');
    }
    const tableNames = new Set(nodes.map((n) => n.table));
    if (!tb && tableNames.size > nodes.length / rule.dataSourceNames.length) {
      throw new ShardingRuleError(where, 'has several tables per data source but no tableStrategy');
    }
    tables.set(logicTable.toLowerCase(), rule);
  }

  const bindingGroups = asList(config.bindingTables, 'bindingTables').map((entry, i) => {
    const group = String(entry)
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== '');
    checkBindingGroup(group, tables, `bindingTables[${i}]`);
    return group;
  });
  const broadcastTables = new Set(asList(config.broadcastTables, 'broadcastTables').map((s) => String(s).toLowerCase()));
  const dataSourceNames = [...new Set([...tables.values()].flatMap((t) => t.dataSourceNames))];
  return { tables, bindingGroups, broadcastTables, dataSourceNames };
}

function checkBindingGroup(group: string[], tables: Map<string, TableRule>, where: string): void {
  const rules = group.map((name) => {
    const r = tables.get(name);
    if (!r) throw new ShardingRuleError(where, `binds "${name}", which is not a sharded table`);
    return r;
  });
  const [first, ...rest] = rules;
  for (const r of rest) {
    if (!first || r.dataNodes.length !== first.dataNodes.length) {
      throw new ShardingRuleError(where, `"${r.logicTable}" has a different number of data nodes than "${first?.logicTable}"`);
    }
    r.dataNodes.forEach((n, i) => {
      if (n.dataSource !== first.dataNodes[i]?.dataSource) {
        throw new ShardingRuleError(where, `data node ${i} of "${r.logicTable}" is on another data source than "${first.logicTable}"'s`);
      }
    });
  }
}

function buildReadwriteSplitting(config: Obj): ReadwriteSplittingGroupRule[] {
  // 5.4+ calls them dataSourceGroups; earlier 5.x, dataSources.
  const groups = asObj(config.dataSourceGroups ?? config.dataSources, 'dataSourceGroups');
  const balancers = asObj(config.loadBalancers, 'loadBalancers');
  return Object.entries(groups).map(([name, raw]) => {
    const where = `dataSourceGroups.${name}`;
    const g = asObj(raw, where);
    const write = g.writeDataSourceName;
    if (typeof write !== 'string') throw new ShardingRuleError(where, 'has no writeDataSourceName');
    const reads = asList(g.readDataSourceNames, `${where}.readDataSourceNames`).map(String);
    const balancerName = g.loadBalancerName;
    const balancer = typeof balancerName === 'string' ? asObj(balancers[balancerName], `loadBalancers.${balancerName}`) : {};
    const type = typeof balancer.type === 'string' ? balancer.type.toUpperCase() : 'ROUND_ROBIN';
    if (type !== 'ROUND_ROBIN' && type !== 'RANDOM') {
      throw new ShardingRuleError(where, `load balancer type "${type}" is not ROUND_ROBIN or RANDOM`);
    }
    return { name, writeDataSourceName: write, readDataSourceNames: reads, loadBalancerType: type };
  });
}

function asObj(v: unknown, where: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ShardingRuleError(where, 'must be a mapping');
  return v as Obj;
}

function asList(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ShardingRuleError(where, 'must be a list');
  return v;
}

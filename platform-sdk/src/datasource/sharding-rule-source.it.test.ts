import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NacosConfigRepository } from '../nacos/index.js';
import { loadShardingRule, ShardingRuleFollower } from './sharding-rule-source.js';
import type { ShardingRule } from './sharding-rule.js';

const serverAddr = `127.0.0.1:${nacos.port}`;
const base = `http://${serverAddr}${nacos.contextPath}`;
const dataId = `silk-sharding-it-${process.pid}.yaml`;
let accessToken = '';

const rule = (count: number) => `rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_\${0..1}.t_order
      databaseStrategy: { standard: { shardingColumn: user_id, shardingAlgorithmName: m } }
  shardingAlgorithms:
    m: { type: MOD, props: { sharding-count: ${count} } }
`;

async function publish(content: string): Promise<void> {
  const body = new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', content, type: 'yaml', accessToken });
  const res = await fetch(`${base}/v1/cs/configs`, { method: 'POST', body });
  expect(await res.text()).toBe('true');
}

const repository = new NacosConfigRepository({
  connection: { serverAddr, username: nacos.username, password: nacos.password },
  cacheDir: mkdtempSync(join(tmpdir(), 'silk-sharding-rule-')),
});

beforeAll(async () => {
  accessToken = await nacosLogin();
  await publish(rule(2));
  const deadline = Date.now() + 10_000;
  while (!(await repository.get({ dataId, group: 'DEFAULT_GROUP', format: 'yaml', refresh: true, kind: 'extension' }))) {
    if (Date.now() > deadline) throw new Error(`published ${dataId} never became readable`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  repository.close();
  await fetch(`${base}/v1/cs/configs?${new URLSearchParams({ dataId, group: 'DEFAULT_GROUP', accessToken }).toString()}`, { method: 'DELETE' });
});

describe('sharding rule from a Nacos dataId', () => {
  it('loads, follows valid edits and keeps the last good rule on a bad one', async () => {
    const first = await loadShardingRule(repository, { dataId });
    expect(first.tables.get('t_order')?.dataSourceNames).toEqual(['ds_0', 'ds_1']);
    const applied: ShardingRule[] = [];
    const errors: unknown[] = [];
    const follower = new ShardingRuleFollower(repository, { dataId }, { setRule: (r) => applied.push(r) }, (e) => errors.push(e));
    await follower.start();
    expect(applied).toHaveLength(1);

    await publish(rule(0));
    await waitFor(() => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: 'SILK_SHARDING_RULE_INVALID' });
    expect(applied).toHaveLength(1);

    await publish(rule(3));
    await waitFor(() => applied.length === 2);
    const mod = applied[1]?.tables.get('t_order')?.databaseStrategy?.algorithm;
    expect(mod?.doSharding(['ds_0', 'ds_1', 'ds_2'], 5)).toBe('ds_2');
    expect(follower.health().lastError).toBeUndefined();
    follower.stop();
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('the Nacos change never arrived');
    await new Promise((r) => setTimeout(r, 100));
  }
}

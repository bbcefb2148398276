import { mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createSentinel } from '../sentinel.js';
import { bindRuleSource, type RuleSourceEvent } from './bind.js';
import { FileRuleSource } from './file-source.js';

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FileRuleSource bound to the engine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'silk-sentinel-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the file, reloads it on change, reports rejections, and keeps the last good rules', async () => {
    const flow = join(dir, 'flow.json');
    await writeFile(flow, JSON.stringify([{ resource: 'r', count: 1 }]));
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const events: RuleSourceEvent[] = [];
    const binding = await bindRuleSource(
      sentinel,
      new FileRuleSource({ files: { flow }, refreshMs: 10 }),
      ['flow', 'degrade'],
      (e) => events.push(e),
    );
    expect(sentinel.flowRules.getRules().map((r) => r.count)).toEqual([1]);

    // Replace the file atomically, as deployment tools do, with a distinct mtime.
    const touch = async (text: string, mtime: number): Promise<void> => {
      const tmp = `${flow}.tmp`;
      await writeFile(tmp, text);
      await utimes(tmp, mtime, mtime);
      await rename(tmp, flow);
    };
    await touch(
      JSON.stringify([
        { resource: 'r', count: 5 },
        { resource: 'r', count: -1 },
      ]),
      2_000_000_000,
    );
    await until(() => events.length >= 2);
    expect(sentinel.flowRules.getRules().map((r) => r.count)).toEqual([5]);
    const second = events[1]!;
    expect(second.type === 'loaded' && second.result.rejected.map((r) => r.error.code)).toEqual([
      'SILK_SENTINEL_RULE_INVALID',
    ]);

    await touch('[{"resource": ', 2_000_000_100);
    await until(() => events.length >= 3);
    expect(sentinel.flowRules.getRules().map((r) => r.count)).toEqual([5]);
    await binding.close();
  });

  it('reports an unreadable file as a source error', async () => {
    const sentinel = createSentinel({ clock: new ManualClock(0) });
    const events: RuleSourceEvent[] = [];
    const binding = await bindRuleSource(
      sentinel,
      new FileRuleSource({ files: { system: join(dir, 'missing.json') }, refreshMs: 10 }),
      ['system'],
      (e) => events.push(e),
    );
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual([
      'SILK_SENTINEL_RULE_SOURCE_FAILED',
    ]);
    await binding.close();
  });
});

/**
 * Differential test: the same rules and the same schedule of requests, fed to Java Sentinel
 * 1.8.9 (interop/java/sentinel-diff, on a virtual clock) and to Silk's engine (on a
 * ManualClock), must give the same verdict for every request — pass with the same queueing
 * wait, or the same kind of block — and the same breaker transitions at the same requests.
 * Scenarios are generated from fixed seeds (differential/scenarios.ts), so a failure replays.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJavaFixture, spawnJava } from '@silk/stack/java-fixture';
import { compareReplays } from './differential/compare.js';
import { knownDifferences, summarizeDifferences } from './differential/known-differences.js';
import { scenarioJson, type Scenario } from './differential/scenario.js';
import { differentialScenarios } from './differential/scenarios.js';
import { replayOnSilk } from './differential/silk-replay.js';

let jar: string;
let dir: string;

beforeAll(() => {
  jar = buildJavaFixture('sentinel-diff', 'sentinel-diff.jar');
  dir = mkdtempSync(join(tmpdir(), 'silk-sentinel-diff-'));
}, 600_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function replayOnJava(s: Scenario, index: number): Promise<string[]> {
  const input = join(dir, `scenario-${index}.json`);
  const output = join(dir, `result-${index}.txt`);
  writeFileSync(input, scenarioJson(s));
  const java = spawnJava(jar, [input, output], [`-Dcsp.sentinel.log.dir=${join(dir, 'logs')}`]);
  try {
    await java.waitForOutput(/^DONE \d+$/m, 60_000);
  } finally {
    await java.stop();
  }
  return readFileSync(output, 'utf8').trimEnd().split('\n');
}

describe('the differential harness', () => {
  it('catches a rule one request apart, and says at which event', async () => {
    const s = differentialScenarios().find((c) => c.name.startsWith('flow QPS reject count=20:'))!;
    const java = await replayOnJava(s, -1);
    const silk = replayOnSilk({ ...s, rules: { flow: [{ resource: 'qps', count: 21 }] } });
    const divergence = compareReplays(s, java, silk);
    expect(divergence?.report).toMatch(
      /^scenario "flow QPS reject count=20: .*" \(seed 3\) diverges at line \d+: Java "\d+ B flow default" vs Silk "\d+ P 0"/,
    );
    expect(divergence?.report).toMatch(/window \d+s: Java \d+ passed, Silk \d+/);
  });
});

describe('Silk Sentinel vs Java Sentinel 1.8.9, request by request', () => {
  differentialScenarios().forEach((s, index) => {
    it(`${s.name} [${s.events.length} events]`, async () => {
      const java = await replayOnJava(s, index);
      const silk = replayOnSilk(s);
      // The scenario really exercises its rule (on the reference side)...
      const javaText = java.join('\n');
      for (const pattern of s.mustSee) {
        expect(javaText, `Java's replay of "${s.name}" never shows ${String(pattern)}`).toMatch(pattern);
      }
      expect(java.at(-1)).toBe(`END ${s.events.length}`);
      // ...every rule loaded on both sides, and every line agrees.
      const divergence = compareReplays(s, java, silk);
      expect(divergence?.report ?? null, divergence?.report).toBeNull();
    });
  });
});

describe('where Silk deliberately differs from Java Sentinel 1.8.9', () => {
  knownDifferences().forEach((d, index) => {
    it(d.scenario.name, async () => {
      const java = await replayOnJava(d.scenario, 1000 + index);
      const silk = replayOnSilk(d.scenario);
      expect(
        { java: summarizeDifferences(java, silk), silk: summarizeDifferences(silk, java) },
        d.why,
      ).toEqual({ java: d.java, silk: d.silk });
    });
  });
});

import { describe, expect, it } from 'vitest';
import { median, nsPerOpAsync, percentile, runBenchmark, toMarkdown, type Benchmark } from './harness.js';

describe('bench harness', () => {
  it('median and percentile', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });

  it('nsPerOpAsync awaits every call, warm-up included, and reports a positive ns/op', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const f = await nsPerOpAsync(async () => {
      calls++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await Promise.resolve();
      inFlight--;
      return calls;
    }, 1000);
    expect(calls).toBe(2000);
    expect(maxInFlight).toBe(1);
    expect(f['ns/op']).toBeGreaterThan(0);
    expect(Number.isFinite(f['ns/op'])).toBe(true);
  });

  it('interleaves cases, collects every run, and reports ratios to the baseline', async () => {
    const order: string[] = [];
    let n = 0;
    const b: Benchmark = {
      name: 't',
      description: 'd',
      runs: 3,
      better: { 'ns/op': 'lower' },
      cases: [
        { name: 'base', baseline: true, run: () => (order.push('base'), { 'ns/op': 10 }) },
        { name: 'subject', run: () => (order.push('subject'), { 'ns/op': 20 + n++ }) },
      ],
    };
    const results = await runBenchmark(b);
    expect(order).toEqual(['base', 'subject', 'base', 'subject', 'base', 'subject']);
    expect(results[1]!.samples['ns/op']).toEqual([20, 21, 22]);
    const md = toMarkdown(b, results, {});
    expect(md).toContain('| subject | 21.0 | 20.0–22.0 | 2.10 |');
    expect(md).toContain('| base (baseline) | 10.0 | 10.0–10.0 | 1.00 |');
  });

  it('refuses a benchmark without exactly one baseline', async () => {
    await expect(
      runBenchmark({ name: 'x', description: '', better: {}, cases: [{ name: 'a', run: () => ({}) }] }),
    ).rejects.toThrow(/exactly one baseline/);
  });
});
